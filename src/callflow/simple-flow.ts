// The call flow of today's single-message flows (a message for people, one for answering machines, an SMS for busy
// lines) in the call-flow language, for migrating stored flows: one `say` step, which hangs up after it, exactly as
// src/dialer/call-runner.ts plays `message` today.
import type { Flow } from './schema.js';

export interface SimpleMessageFlow {
  /** Spoken to a person who answers. */
  message: string;
  /** Left on an answering machine after its greeting. */
  voicemailMessage: string;
  /** Sent when the line is busy. */
  smsText: string;
}

/** The id of the one step of a migrated flow. */
export const SIMPLE_FLOW_STEP_ID = 'message';

export function flowFromSimpleMessage(input: SimpleMessageFlow): Flow {
  return {
    version: 1,
    start: SIMPLE_FLOW_STEP_ID,
    steps: [{ id: SIMPLE_FLOW_STEP_ID, type: 'say', text: input.message }],
    voicemail: { say: input.voicemailMessage },
    smsOnBusy: input.smsText,
  };
}
