// Identifiers we generate for SIP: tags (RFC 3261 section 19.3: at least 32 random bits) and Call-IDs (section
// 8.1.1.4: globally unique over space and time). Random, so they reveal nothing about the host or the callee.
import { randomBytes } from 'node:crypto';

export function newTag(): string {
  return randomBytes(8).toString('hex');
}

export function newCallId(): string {
  return randomBytes(16).toString('hex');
}
