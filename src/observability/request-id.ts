// Request ids: a caller (a load balancer, a client's own tracing) may send X-Request-Id; we adopt it when it is a
// plausible id, so one id follows the request through every hop, every log line here (Fastify's reqId) and the
// problem details' traceId. Anything else is replaced by a new UUID rather than refused: a bad tracing header is no
// reason to fail a request, and an unchecked one could put control characters or megabytes into every log line.
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Visible ASCII (0x21-0x7E), 1 to 128 characters. */
const ACCEPTED_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The incoming id when acceptable, else a new UUID. A repeated header (an array) is not one id. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTED_REQUEST_ID.test(header) ? header : randomUUID();
}
