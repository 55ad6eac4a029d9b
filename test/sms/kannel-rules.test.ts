// The Kannel provider's pure parts: the per-message token, the dlr-url, what a report type means, how smsbox's
// answers are taken, and how the test helper reads fakesmsc's lines.
import { describe, expect, it } from 'vitest';
import { dlrToken, dlrTokenValid, newKannelMessageId } from '../../src/sms/kannel/dlr-token.js';
import { kannelDlrUrl } from '../../src/sms/kannel/dlr-url.js';
import { dlrOutcome, KANNEL_DLR_MASK } from '../../src/sms/kannel/dlr-report.js';
import { sendsmsAnswer } from '../../src/sms/kannel/sendsms-answer.js';
import { parseFakeSmscLine } from '../helpers/kannel.js';

const SECRET = 'kannel-dlr-secret-0123456789';

describe('Kannel delivery report token', () => {
  it('is HMAC-SHA256 of the id under the secret, base64url, and only that id and secret pass', () => {
    const id = newKannelMessageId();
    const token = dlrToken(SECRET, id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(dlrTokenValid(SECRET, id, token)).toBe(true);
    expect(dlrTokenValid(SECRET, newKannelMessageId(), token)).toBe(false);
    expect(dlrTokenValid('another-secret-0123456789', id, token)).toBe(false);
    expect(dlrTokenValid(SECRET, id, token.slice(0, -1))).toBe(false);
    expect(dlrTokenValid(SECRET, id, '')).toBe(false);
  });

  it('makes random UUID ids, never the same twice', () => {
    const ids = new Set(Array.from({ length: 1000 }, newKannelMessageId));
    expect(ids.size).toBe(1000);
    for (const id of [...ids].slice(0, 5)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('Kannel dlr-url', () => {
  it('points below the base URL with id and token, and leaves the %d %A %T escapes for smsbox', () => {
    const url = kannelDlrUrl({ baseUrl: 'http://ringcast.internal:3000/', id: 'abc', token: 'x-y_z' });
    expect(url).toBe('http://ringcast.internal:3000/api/sms/kannel/dlr?id=abc&token=x-y_z&type=%d&status=%A&at=%T');
  });
});

describe('Kannel report types', () => {
  it('asks for delivered, undelivered, SMSC accepted and SMSC refused reports (1 + 2 + 8 + 16)', () => {
    expect(KANNEL_DLR_MASK).toBe(27);
  });

  it('maps delivered, undelivered (expired by the receipt stat), SMSC refused; SMSC accepted and others change nothing', () => {
    expect(dlrOutcome(1, '')).toEqual({ change: true, state: 'delivered', error: undefined });
    expect(dlrOutcome(2, 'id:1000 sub:001 dlvrd:000 submit date:2612041000 done date:2612041000 stat:UNDELIV err:000 text:')).toEqual({ change: true, state: 'failed', error: 'UNDELIV' });
    expect(dlrOutcome(2, 'id:1000 sub:001 dlvrd:000 submit date:2612041000 done date:2612041000 stat:EXPIRED err:000 text:')).toEqual({ change: true, state: 'expired', error: 'EXPIRED' });
    expect(dlrOutcome(2, 'id:1000 stat:REJECTD err:0b1')).toEqual({ change: true, state: 'failed', error: 'REJECTD err:0b1' });
    expect(dlrOutcome(2, '')).toEqual({ change: true, state: 'failed', error: 'UNDELIVERED' });
    expect(dlrOutcome(16, 'NACK/0x0000000b/Invalid Destination Address')).toEqual({ change: true, state: 'failed', error: 'NACK/0x0000000b/Invalid Destination Address' });
    expect(dlrOutcome(16, undefined)).toEqual({ change: true, state: 'failed', error: 'rejected by the SMSC' });
    expect(dlrOutcome(8, 'ACK/')).toEqual({ change: false });
    expect(dlrOutcome(4, '')).toEqual({ change: false });
    expect(dlrOutcome(0, '')).toEqual({ change: false });
  });

  it('keeps at most 200 characters of a long reply', () => {
    const outcome = dlrOutcome(16, 'x'.repeat(1000));
    expect(outcome.change && outcome.error?.length).toBe(200);
  });
});

describe("smsbox's sendsms answers", () => {
  it('takes 2xx as accepted, 5xx as worth retrying, other statuses as refused with Kannel\'s words', () => {
    expect(sendsmsAnswer(202, '0: Accepted for delivery')).toEqual({ kind: 'accepted' });
    expect(sendsmsAnswer(202, '3: Queued for later delivery')).toEqual({ kind: 'accepted' });
    expect(sendsmsAnswer(503, 'Temporal failure, try again later.')).toEqual({ kind: 'retry', reason: 'Kannel 503: Temporal failure, try again later.' });
    expect(sendsmsAnswer(500, 'Sending failed.\n')).toEqual({ kind: 'retry', reason: 'Kannel 500: Sending failed.' });
    expect(sendsmsAnswer(403, 'Authorization failed for sendsms')).toEqual({ kind: 'refused', reason: 'Kannel 403: Authorization failed for sendsms' });
    expect(sendsmsAnswer(400, '')).toEqual({ kind: 'refused', reason: 'Kannel 400' });
  });
});

describe("the test helper's reading of fakesmsc lines", () => {
  it('reads text, ucs-2 and udh + data lines', () => {
    expect(parseFakeSmscLine('Ringcast +447912000001 text Hello there')).toMatchObject({ from: 'Ringcast', to: '+447912000001', kind: 'text', udh: undefined });
    expect(parseFakeSmscLine('Ringcast +447912000001 text Hello there')!.data.toString('utf8')).toBe('Hello there');
    const part = parseFakeSmscLine('Ringcast +4479 udh %05%00%03%01%05%02 data %04A%00+%00%2C')!;
    expect([...part.udh!]).toEqual([5, 0, 3, 1, 5, 2]);
    expect([...part.data]).toEqual([0x04, 0x41, 0x00, 0x20, 0x00, 0x2c]);
    expect(parseFakeSmscLine('Ringcast +4479 ucs-2 %04%17')).toMatchObject({ kind: 'ucs-2', data: Buffer.from([0x04, 0x17]) });
    expect(parseFakeSmscLine('garbage')).toBeUndefined();
  });
});
