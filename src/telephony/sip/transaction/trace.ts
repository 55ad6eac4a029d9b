// SIP_TRACE: every SIP message as a log record an operator can read while setting up a trunk: which way it went,
// to or from where, and the message itself (start line and headers; the SDP body too, it is what media depends on).
import { serializeSipMessage } from '../message/serializer.js';
import type { SipTraceEvent } from './stack.js';

/** Messages beyond this are cut in the log: a trace must not flood it with a huge body. */
const MAX_TRACE_CHARS = 4000;

export function describeSipTrace(event: SipTraceEvent): { direction: string; peer: string; message: string } {
  const text = serializeSipMessage(event.message).toString('utf8');
  return {
    direction: event.direction === 'out' ? 'sent' : 'received',
    peer: `${event.transport}:${event.address}:${event.port}`,
    message: text.length > MAX_TRACE_CHARS ? `${text.slice(0, MAX_TRACE_CHARS)}... (${text.length} characters)` : text,
  };
}
