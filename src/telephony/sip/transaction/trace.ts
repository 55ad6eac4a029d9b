// SIP_TRACE: every SIP message as a log record an operator can read while setting up a trunk: which way it went,
// to or from where, and the message itself (start line and headers; the SDP body too, it is what media depends on),
// with the phone numbers in its URIs masked (observability/mask.ts).
import { serializeSipMessage } from '../message/serializer.js';
import type { SipTraceEvent } from './stack.js';
import { maskSipNumbers } from '../../../observability/mask.js';

/** Messages beyond this are cut in the log: a trace must not flood it with a huge body. */
const MAX_TRACE_CHARS = 4000;

export function describeSipTrace(event: SipTraceEvent): { direction: string; peer: string; message: string } {
  // Logged at info level: the callee's and the CLI's numbers in the URIs show their last 3 digits only.
  const text = maskSipNumbers(serializeSipMessage(event.message).toString('utf8'));
  return {
    direction: event.direction === 'out' ? 'sent' : 'received',
    peer: `${event.transport}:${event.address}:${event.port}`,
    message: text.length > MAX_TRACE_CHARS ? `${text.slice(0, MAX_TRACE_CHARS)}... (${text.length} characters)` : text,
  };
}
