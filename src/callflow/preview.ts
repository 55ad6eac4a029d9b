// What a flow will say and send for given values, without calling anyone: POST /api/callflows/:id/preview.
import type { Flow } from './schema.js';
import { definitionOf } from './steps/index.js';
import { renderPlaceholders, type PlaceholderValues } from '../domain/placeholders.js';
import { smsParts, type SmsEncoding } from '../domain/sms-parts.js';

export interface PreviewText {
  /** Step number (1-based, the call's stage when it is reached) and id; 0 and the field name for flow-level texts. */
  stepNumber: number;
  stepId: string;
  field: string;
  kind: 'speech' | 'sms';
  text: string;
  /** For SMS texts: how they would be billed. */
  smsParts?: number;
  smsEncoding?: SmsEncoding;
}

export function previewFlow(flow: Flow, values: PlaceholderValues): PreviewText[] {
  const texts: PreviewText[] = [];
  const add = (stepNumber: number, stepId: string, field: string, kind: 'speech' | 'sms', template: string) => {
    const text = renderPlaceholders(template, values);
    const parts = kind === 'sms' ? smsParts(text) : undefined;
    texts.push({ stepNumber, stepId, field, kind, text, ...(parts ? { smsParts: parts.parts, smsEncoding: parts.encoding } : {}) });
  };
  flow.steps.forEach((step, index) => {
    for (const entry of definitionOf(step).texts(step)) add(index + 1, step.id, entry.path.join('.'), entry.kind, entry.text);
  });
  add(0, '', 'voicemail.say', 'speech', flow.voicemail.say);
  add(0, '', 'smsOnBusy', 'sms', flow.smsOnBusy);
  return texts;
}
