// Random identifiers for SIP (branches, tags, Call-IDs) cut from a pool of CSPRNG bytes refilled 4 KiB at a time.
// crypto.randomBytes per identifier costs a call into OpenSSL and a fresh Buffer each time: in the SIP benchmark's
// profile branch and tag generation was ~30 us per identifier, several per call. The bytes are the same
// cryptographically secure ones (randomFillSync), just fetched in bulk, as Node itself does for randomUUID; each byte
// is handed out once.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool: Buffer | undefined;
let offset = POOL_BYTES;

/** Where `bytes` fresh random bytes start in the pool (refilled when too few are left). */
function take(bytes: number): { from: Buffer; start: number } {
  if (bytes > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes at once`);
  pool ??= Buffer.allocUnsafe(POOL_BYTES);
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += bytes;
  return { from: pool, start };
}

/** `bytes` random bytes as lower-case hex (2 characters a byte). */
export function randomHex(bytes: number): string {
  const { from, start } = take(bytes);
  return from.toString('hex', start, start + bytes);
}

/** `bytes` random bytes as base64url (token characters, RFC 3261 section 25.1). */
export function randomBase64url(bytes: number): string {
  const { from, start } = take(bytes);
  return from.toString('base64url', start, start + bytes);
}
