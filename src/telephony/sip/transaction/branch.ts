// RFC 3261 section 8.1.1.7: the branch of a Via we insert starts with the magic cookie "z9hG4bK" and is unique across
// space and time for every transaction we start, so that a response (section 17.1.3) and a retransmitted request
// (section 17.2.3) can be matched by branch alone. 96 random bits make a collision practically impossible.
import { randomBase64url, randomHex } from '../random-pool.js';

export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/** A new branch: the magic cookie and 16 characters of base64url (token characters, RFC 3261 section 25.1). */
export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomBase64url(12);
}

/** True when the branch was made by an RFC 3261 element; older (RFC 2543) peers need the fallback matching rules. */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(BRANCH_MAGIC_COOKIE) && branch.length > BRANCH_MAGIC_COOKIE.length;
}

/**
 * RFC 3261 section 19.3: a To/From tag needs at least 32 random bits; 64 here. The stack uses it when the transaction
 * user answers a request without choosing a To tag itself (section 8.2.6.2).
 */
export function newTag(): string {
  return randomHex(8);
}
