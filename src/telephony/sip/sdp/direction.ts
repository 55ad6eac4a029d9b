/**
 * Changing the direction attribute of our own SDP when we answer a re-INVITE that puts the call on hold or takes it
 * off hold (RFC 3264 section 6.1 answer rules for a=sendonly/recvonly/inactive, section 8.4 hold).
 */
import { SDP_DIRECTIONS, type SdpDirection } from './session-description.js';

/** RFC 3264 section 6.1: a sendonly offer is answered recvonly, recvonly with sendonly, inactive with inactive. */
export function answerDirectionFor(offered: SdpDirection): SdpDirection {
  switch (offered) {
    case 'sendonly':
      return 'recvonly';
    case 'recvonly':
      return 'sendonly';
    case 'inactive':
      return 'inactive';
    case 'sendrecv':
      return 'sendrecv';
  }
}

/**
 * Our SDP with the first audio stream's direction set to `direction` (session-level direction lines dropped so the
 * media-level one rules). If that changes the text, the o= version goes up by one: RFC 3264 section 8 requires a
 * new version for a changed description and the same version for an unchanged one. Text we cannot edit (no o= or no
 * audio m= line) comes back unchanged.
 */
export function withSdpDirection(sdp: string, direction: SdpDirection): string {
  const lines = sdp.split(/\r?\n/);
  const trailingNewline = lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  const isDirection = (line: string) => (SDP_DIRECTIONS as readonly string[]).includes(line.startsWith('a=') ? line.slice(2).trim() : '');
  const audioIndex = lines.findIndex((l) => l.startsWith('m=audio '));
  const originIndex = lines.findIndex((l) => l.startsWith('o='));
  if (audioIndex < 0 || originIndex < 0) return sdp;
  let sectionEnd = lines.findIndex((l, i) => i > audioIndex && l.startsWith('m='));
  if (sectionEnd < 0) sectionEnd = lines.length;

  const firstMediaIndex = lines.findIndex((l) => l.startsWith('m='));

  const out: string[] = [];
  let placed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const inAudio = i > audioIndex && i < sectionEnd;
    const atSessionLevel = i < firstMediaIndex;
    if (isDirection(line) && atSessionLevel) continue;
    if (isDirection(line) && inAudio) {
      if (!placed) out.push(`a=${direction}`);
      placed = true;
      continue;
    }
    out.push(line);
    if (i === sectionEnd - 1 && !placed) {
      out.push(`a=${direction}`);
      placed = true;
    }
  }
  const changed = out.join('\r\n') !== lines.join('\r\n');
  if (changed) {
    const origin = (out[originIndex] ?? '').split(' ');
    const version = origin[2];
    if (version !== undefined && /^[0-9]+$/.test(version)) {
      origin[2] = (BigInt(version) + 1n).toString();
      out[originIndex] = origin.join(' ');
    }
  }
  const text = out.join('\r\n') + (trailingNewline ? '\r\n' : '');
  return changed ? text : sdp;
}
