// Example call flows, for the README, the demo and the tests: one source, checked by test/callflow/examples.test.ts
// to pass validateFlow. Plain JSON values, as a client would send them.

/**
 * An appointment reminder with a menu: "press 1 to confirm, 2 to speak to someone". 1 confirms and sends an SMS; 2
 * transfers to the surgery (020 7946 0950, a simulated test number that answers), with an apology if that fails;
 * nothing or anything else is asked again twice, then the call ends with a goodbye. {Parameter1} is the appointment.
 */
export const MENU_FLOW_EXAMPLE = {
  version: 1,
  start: 'menu',
  steps: [
    {
      id: 'menu',
      type: 'gather',
      prompt: 'Hello {Name}, this is Ringcast Dental about your appointment on {Parameter1}. Press 1 to confirm, or 2 to speak to someone.',
      maxDigits: 1,
      timeoutMs: 5_000,
      branches: { '1': 'confirm', '2': 'agent' },
      noInput: 'goodbye',
      maxRetries: 2,
      invalidPrompt: 'Sorry, that is not one of the options.',
    },
    { id: 'confirm', type: 'say', text: 'Thank you, your appointment is confirmed. Goodbye.', next: 'confirm-sms' },
    { id: 'confirm-sms', type: 'sms', text: 'Hi {Name}, your appointment on {Parameter1} is confirmed. Ringcast Dental' },
    { id: 'agent', type: 'say', text: 'Putting you through to the surgery now.', next: 'transfer' },
    { id: 'transfer', type: 'transfer', to: '020 7946 0950', ringTimeoutMs: 30_000, onFailure: 'agent-busy' },
    { id: 'agent-busy', type: 'say', text: 'Sorry, nobody can take your call just now. We will call you back. Goodbye.' },
    { id: 'goodbye', type: 'say', text: 'We did not get an answer. We will call you again. Goodbye.' },
  ],
  voicemail: {
    say: 'Hello {Name}, this is Ringcast Dental about your appointment on {Parameter1}. Please call us on 020 7946 0999. Goodbye.',
  },
  smsOnBusy: 'Hi {Name}, Ringcast Dental tried to call about your appointment on {Parameter1}. Call 020 7946 0999.',
} as const;
