// The per-message token of a Kannel delivery report. Kannel fetches the dlr-url Ringcast gave it with the message,
// unauthenticated, so the URL itself must prove it came from Ringcast: it carries the message's id (a random UUID
// Ringcast made, not a counter, so ids cannot be guessed) and HMAC-SHA256(KANNEL_DLR_SECRET, id). Nobody without
// the secret can make a token for another id, and nothing per message has to be stored to check one. Pure.
import { createHmac, randomUUID } from 'node:crypto';
import { secretsEqual } from '../../domain/api-key.js';

/** A new message id: a random UUID (122 random bits). */
export function newKannelMessageId(): string {
  return randomUUID();
}

/** The token for `id`: HMAC-SHA256 keyed with the secret, base64url (43 characters, safe in a query string). */
export function dlrToken(secret: string, id: string): string {
  return createHmac('sha256', secret).update(id, 'utf8').digest('base64url');
}

/** Whether `token` is the one for `id`, compared in constant time (secretsEqual hashes both sides first). */
export function dlrTokenValid(secret: string, id: string, token: string): boolean {
  return secretsEqual(token, dlrToken(secret, id));
}
