// Identifiers we generate for SIP: tags (RFC 3261 section 19.3: at least 32 random bits) and Call-IDs (section
// 8.1.1.4: globally unique over space and time). Random, so they reveal nothing about the host or the callee.
import { randomHex } from '../random-pool.js';

export function newTag(): string {
  return randomHex(8);
}

export function newCallId(): string {
  return randomHex(16);
}
