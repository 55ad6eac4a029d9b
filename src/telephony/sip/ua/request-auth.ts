/**
 * Answering 401 / 407 challenges for one request (RFC 3261 sections 22.2 and 22.3), across its re-sends.
 *
 * A 401 carries WWW-Authenticate (the UAS) and is answered with Authorization; a 407 carries Proxy-Authenticate
 * (a proxy) and is answered with Proxy-Authorization. Several proxies may challenge one request, each with its own
 * realm: every later re-send carries the credentials for all of them (section 22.3). A second challenge for a realm
 * we already answered means the credentials were refused, unless it says stale=true (the nonce expired, RFC 2617
 * section 3.2.1): then we answer the new nonce once more.
 */
import {
  buildDigestAuthorization,
  newCnonce,
  selectDigestChallengesByRealm,
  type DigestChallenge,
  type DigestNonceCounter,
} from '../auth/digest.js';
import { getHeaders, type SipHeader, type SipResponse } from '../message/types.js';
import type { SipCredentials } from './types.js';

type AuthorizationHeader = 'Authorization' | 'Proxy-Authorization';

export type ChallengeVerdict = { ok: true } | { ok: false; reason: string };

export class RequestAuthorizer {
  /** Realm key -> the challenge to answer; insertion order is the order the header lines go out in. */
  private readonly challenges = new Map<string, { header: AuthorizationHeader; challenge: DigestChallenge }>();

  constructor(
    private readonly credentials: SipCredentials | undefined,
    private readonly nonceCounter: DigestNonceCounter,
  ) {}

  /** Takes in a 401 / 407: whether the request should be sent again with credentials. */
  accept(response: SipResponse): ChallengeVerdict {
    if (!this.credentials) return { ok: false, reason: 'challenged but no credentials are configured' };
    const proxy = response.status === 407;
    const header: AuthorizationHeader = proxy ? 'Proxy-Authorization' : 'Authorization';
    const offered = selectDigestChallengesByRealm(getHeaders(response.headers, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'));
    if (offered.length === 0) return { ok: false, reason: 'no Digest challenge we can answer' };
    for (const challenge of offered) {
      const key = `${header}\n${challenge.realm}`;
      if (this.challenges.has(key) && !challenge.stale) {
        return { ok: false, reason: `credentials refused for realm ${JSON.stringify(challenge.realm)}` };
      }
    }
    for (const challenge of offered) {
      const key = `${header}\n${challenge.realm}`;
      this.challenges.set(key, { header, challenge });
    }
    return { ok: true };
  }

  /**
   * The credential headers for the next send of the request. Each send counts as a use of the nonce (nc goes up),
   * with a fresh cnonce.
   */
  headersFor(method: string, requestUri: string, body: Buffer): SipHeader[] {
    const credentials = this.credentials;
    if (!credentials) return [];
    const out: SipHeader[] = [];
    for (const { header, challenge } of this.challenges.values()) {
      out.push([
        header,
        buildDigestAuthorization({
          challenge,
          username: credentials.username,
          password: credentials.password,
          method,
          uri: requestUri,
          body,
          cnonce: newCnonce(),
          nonceCount: this.nonceCounter.next(challenge.nonce),
        }),
      ]);
    }
    return out;
  }
}

/** The credential headers of a request as sent: the ACK of a 2xx carries the INVITE's (RFC 3261 section 13.2.2.4). */
export function credentialHeadersOf(headers: readonly SipHeader[]): SipHeader[] {
  return [
    ...getHeaders(headers, 'Authorization').map((v): SipHeader => ['Authorization', v]),
    ...getHeaders(headers, 'Proxy-Authorization').map((v): SipHeader => ['Proxy-Authorization', v]),
  ];
}
