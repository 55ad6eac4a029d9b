// The first thing a person hears: the speech of the first step that makes any sound, following the flow from `start`
// the way a person's call goes (answerType takes `human`; an sms step makes no sound and leads on). The dialer has it
// rendered before it dials (Ofcom's 2-second rule: text-to-speech must not be what keeps a person waiting).
// Pure.
import { renderPlaceholders, type PlaceholderValues } from '../domain/placeholders.js';
import type { Flow, Step } from './schema.js';
import type { SayOptions } from '../telephony/carrier.js';
import { speechOptions } from './steps/types.js';

export interface Speech {
  text: string;
  options: SayOptions;
}

/** The first speech of a person's call with placeholders filled, or undefined when the first sound is not speech. */
export function firstSpeech(flow: Flow, values: PlaceholderValues): Speech | undefined {
  const byId = new Map<string, Step>(flow.steps.map((step) => [step.id, step]));
  const seen = new Set<string>();
  let id: string | undefined = flow.start;
  while (id !== undefined && !seen.has(id)) {
    seen.add(id);
    const step: Step | undefined = byId.get(id);
    if (!step) return undefined;
    switch (step.type) {
      case 'say':
        return { text: renderPlaceholders(step.text, values), options: speechOptions(step) };
      case 'gather':
        return { text: renderPlaceholders(step.prompt, values), options: {} };
      case 'optOut':
        if (step.say !== undefined) return { text: renderPlaceholders(step.say, values), options: speechOptions(step) };
        id = step.next;
        break;
      case 'answerType':
        id = step.human;
        break;
      case 'sms':
        id = step.next;
        break;
      case 'play':
      case 'transfer':
      case 'hangup':
        return undefined;
    }
  }
  return undefined;
}
