// What Kannel's smsbox answered a sendsms request, as Ringcast acts on it. Pure.
//
// smsbox (gw/smsbox.c, Kannel 1.4) answers:
//   202 "0: Accepted for delivery"       bearerbox took it
//   202 "3: Queued for later delivery"   bearerbox took it and holds it until an SMSC connection is up
//   202 "Sent."                          the same, when smsbox answers before bearerbox does (immediate-sendsms-reply)
//   400 a missing or bad field; 403 wrong user / password, a sender or receiver not allowed, "Not routable";
//   415 a charset it cannot convert                                                 -> failed, not retried
//   500 "Sending failed." (bearerbox unreachable); 503 "Temporal failure, try again later." (a full queue)
//                                                                                    -> retried, then failed
export type SendsmsAnswer = { kind: 'accepted' } | { kind: 'refused'; reason: string } | { kind: 'retry'; reason: string };

/** Longest part of Kannel's answer kept in a reason. */
const MAX_ANSWER_CHARS = 200;

export function sendsmsAnswer(status: number, body: string): SendsmsAnswer {
  const text = body.trim().slice(0, MAX_ANSWER_CHARS);
  const reason = `Kannel ${status}${text === '' ? '' : `: ${text}`}`;
  if (status >= 200 && status <= 299) return { kind: 'accepted' };
  if (status >= 500 || status === 408 || status === 429) return { kind: 'retry', reason };
  return { kind: 'refused', reason };
}
