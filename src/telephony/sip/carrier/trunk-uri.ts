// The URIs a trunk is addressed with: the called number at the trunk's host (and port), as INVITE Request-URIs and
// REFER's Refer-To carry it, written the way the trunk wants numbers (numberFormat).
import type { SipTrunk } from './trunk-config.js';

/** +442079460001 as the trunk wants it: as it is (e164) or without the plus (digits). */
export function formatTrunkNumber(e164: string, trunk: Pick<SipTrunk, 'numberFormat'>): string {
  return trunk.numberFormat === 'digits' ? e164.replace(/^\+/, '') : e164;
}

/** e.g. sip:+442079460001@trunk.example.com:5060;transport=tcp */
export function trunkRequestUri(e164: string, trunk: Pick<SipTrunk, 'host' | 'port' | 'transport' | 'numberFormat'>): string {
  const hostPort = trunk.port !== undefined ? `${trunk.host}:${trunk.port}` : trunk.host;
  const transportParam = trunk.transport === 'tcp' ? ';transport=tcp' : '';
  return `sip:${formatTrunkNumber(e164, trunk)}@${hostPort}${transportParam}`;
}
