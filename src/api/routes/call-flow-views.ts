// How a stored call flow is shown: its current document, plus the one-message texts clients of the first API read.
import type { CallFlowRow } from '../../store/repositories/tenants.js';

export function toCallFlowView(row: CallFlowRow) {
  const first = row.flow.steps.find((step) => step.id === row.flow.start);
  return {
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    version: row.version,
    flow: row.flow,
    message: first?.type === 'say' ? first.text : null,
    voicemailMessage: row.flow.voicemail.say,
    smsText: row.flow.smsOnBusy,
    createdAt: row.createdAt,
  };
}
