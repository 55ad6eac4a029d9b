/**
 * HTTP Digest authentication as SIP uses it (RFC 3261 section 22.4, which points to RFC 2617; RFC 7616 for SHA-256
 * and RFC 8760 for using it in SIP): reading a WWW-Authenticate / Proxy-Authenticate challenge and computing the
 * Authorization / Proxy-Authorization answer.
 *
 *   HA1      = H(username ":" realm ":" password)                  (algorithm MD5 / SHA-256)
 *   HA1      = H(H(username ":" realm ":" password) ":" nonce ":" cnonce)   (the "-sess" variants)
 *   HA2      = H(method ":" digest-uri)                            (qop=auth or no qop)
 *   HA2      = H(method ":" digest-uri ":" H(entity-body))         (qop=auth-int)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)  (qop present, RFC 2617 section 3.2.2.1)
 *   response = H(HA1 ":" nonce ":" HA2)                            (no qop: RFC 2069 compatibility)
 *
 * Challenges come from the network: parsing never throws and caps sizes.
 */
import { createHash, randomBytes } from 'node:crypto';

export type DigestResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

const ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'];

export type DigestQop = 'auth' | 'auth-int';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** Returned unchanged when present, even when empty (RFC 2617 section 3.2.1). */
  opaque?: string;
  algorithm: DigestAlgorithm;
  /** The qop-options offered, lower-cased; empty for an RFC 2069 challenge. */
  qop: string[];
  /** RFC 2617 section 3.2.1: the nonce expired but the credentials were right; retry with the new nonce. */
  stale: boolean;
  domain?: string;
}

/** Far above any real challenge (a few hundred bytes). */
const MAX_CHALLENGE_CHARS = 4096;

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

interface RawChallenge {
  scheme: string;
  params: Map<string, string>;
}

/**
 * Splits a challenge header value into challenges (RFC 7235 section 4.1 / RFC 2617 section 1.2):
 *   challenge  = auth-scheme 1*SP 1#auth-param
 *   auth-param = token "=" ( token / quoted-string )
 * Several challenges may share one line, separated by commas; a token not followed by "=" starts the next one.
 */
function parseChallenges(value: string): DigestResult<RawChallenge[]> {
  if (value.length > MAX_CHALLENGE_CHARS) return fail(`challenge too long: ${value.length} characters`);
  const out: RawChallenge[] = [];
  let i = 0;
  const n = value.length;
  const skip = (chars: RegExp) => {
    while (i < n && chars.test(value[i] ?? '')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && /[A-Za-z0-9!#$%&'*+\-.^_`|~]/.test(value[i] ?? '')) i++;
    return value.slice(start, i);
  };
  let current: RawChallenge | undefined;
  while (i < n) {
    skip(/[\s,]/);
    if (i >= n) break;
    const name = token();
    if (name.length === 0) return fail(`unexpected character ${JSON.stringify(value[i])} in challenge`);
    skip(/\s/);
    if (value[i] !== '=') {
      current = { scheme: name, params: new Map() };
      out.push(current);
      continue;
    }
    i++;
    skip(/\s/);
    let paramValue: string;
    if (value[i] === '"') {
      i++;
      let text = '';
      let closed = false;
      while (i < n) {
        const ch = value[i] ?? '';
        if (ch === '\\' && i + 1 < n) {
          text += value[i + 1];
          i += 2;
        } else if (ch === '"') {
          closed = true;
          i++;
          break;
        } else {
          text += ch;
          i++;
        }
      }
      if (!closed) return fail('unterminated quoted string in challenge');
      paramValue = text;
    } else {
      paramValue = token();
    }
    if (!current) return fail('challenge parameter before the scheme');
    current.params.set(name.toLowerCase(), paramValue);
  }
  return { ok: true, value: out };
}

function toDigestChallenge(raw: RawChallenge): DigestResult<DigestChallenge> {
  if (raw.scheme.toLowerCase() !== 'digest') return fail(`unsupported authentication scheme ${JSON.stringify(raw.scheme)}`);
  const realm = raw.params.get('realm');
  const nonce = raw.params.get('nonce');
  if (realm === undefined) return fail('digest challenge without realm');
  if (nonce === undefined || nonce.length === 0) return fail('digest challenge without nonce');
  const algorithmText = raw.params.get('algorithm') ?? 'MD5';
  // Algorithm names are case-insensitive (RFC 7616 section 3.3).
  const algorithm = ALGORITHMS.find((a) => a.toLowerCase() === algorithmText.toLowerCase());
  if (!algorithm) return fail(`unsupported digest algorithm ${JSON.stringify(algorithmText)}`);
  const qopText = raw.params.get('qop');
  const qop = qopText === undefined ? [] : qopText.split(',').map((q) => q.trim().toLowerCase()).filter((q) => q.length > 0);
  if (qop.length > 0 && !qop.includes('auth') && !qop.includes('auth-int')) {
    return fail(`unsupported qop ${JSON.stringify(qopText)}`);
  }
  const challenge: DigestChallenge = {
    realm,
    nonce,
    algorithm,
    qop,
    stale: (raw.params.get('stale') ?? '').toLowerCase() === 'true',
  };
  const opaque = raw.params.get('opaque');
  if (opaque !== undefined) challenge.opaque = opaque;
  const domain = raw.params.get('domain');
  if (domain !== undefined) challenge.domain = domain;
  return { ok: true, value: challenge };
}

/** The first Digest challenge we can answer in one header value. */
export function parseDigestChallenge(value: string): DigestResult<DigestChallenge> {
  return selectDigestChallenge([value]);
}

/**
 * The challenge to answer among several header values (one 401 may offer SHA-256 and MD5). RFC 8760 section 2.4:
 * the server lists them in its order of preference and the client uses the topmost one it supports.
 */
export function selectDigestChallenge(values: readonly string[]): DigestResult<DigestChallenge> {
  let lastError = 'no challenge';
  for (const value of values) {
    const parsed = parseChallenges(value);
    if (!parsed.ok) {
      lastError = parsed.error;
      continue;
    }
    for (const raw of parsed.value) {
      const digest = toDigestChallenge(raw);
      if (digest.ok) return digest;
      lastError = digest.error;
    }
  }
  return fail(lastError);
}

/** Every answerable Digest challenge, at most one per realm (the first supported, per RFC 8760 section 2.4). */
export function selectDigestChallengesByRealm(values: readonly string[]): DigestChallenge[] {
  const byRealm = new Map<string, DigestChallenge>();
  for (const value of values) {
    const parsed = parseChallenges(value);
    if (!parsed.ok) continue;
    for (const raw of parsed.value) {
      const digest = toDigestChallenge(raw);
      if (digest.ok && !byRealm.has(digest.value.realm)) byRealm.set(digest.value.realm, digest.value);
    }
  }
  return [...byRealm.values()];
}

function hashOf(algorithm: DigestAlgorithm): (text: string | Buffer) => string {
  const name = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  return (text) => createHash(name).update(text).digest('hex');
}

/** RFC 2617 section 3.2.2: nc is the count of requests sent with this nonce, as 8 hex digits. */
export function formatNonceCount(count: number): string {
  return (count >>> 0).toString(16).padStart(8, '0');
}

export interface DigestResponseInput {
  challenge: DigestChallenge;
  username: string;
  password: string;
  /** The request method (for SIP, e.g. INVITE; RFC 3261 section 22.4: ACK and CANCEL reuse the INVITE's). */
  method: string;
  /** digest-uri: the Request-URI of the request being authorized. */
  uri: string;
  /** The message body, for qop=auth-int. */
  body?: Buffer | string;
}

/** The qop we answer with: auth when offered (cheapest), else auth-int, else none (RFC 2069). */
export function chooseQop(challenge: DigestChallenge): DigestQop | undefined {
  if (challenge.qop.includes('auth')) return 'auth';
  if (challenge.qop.includes('auth-int')) return 'auth-int';
  return undefined;
}

/** The request-digest (the `response` parameter). */
export function computeDigestResponse(input: DigestResponseInput & { cnonce: string; nonceCount: number; qop: DigestQop | undefined }): string {
  const { challenge, qop } = input;
  const H = hashOf(challenge.algorithm);
  let ha1 = H(`${input.username}:${challenge.realm}:${input.password}`);
  if (challenge.algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${challenge.nonce}:${input.cnonce}`);
  const ha2 =
    qop === 'auth-int'
      ? H(`${input.method}:${input.uri}:${H(input.body ?? '')}`)
      : H(`${input.method}:${input.uri}`);
  if (qop === undefined) return H(`${ha1}:${challenge.nonce}:${ha2}`);
  return H(`${ha1}:${challenge.nonce}:${formatNonceCount(input.nonceCount)}:${input.cnonce}:${qop}:${ha2}`);
}

/** quoted-string = DQUOTE *(qdtext / quoted-pair) DQUOTE (RFC 3261 section 25.1). */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A random client nonce: 16 bytes of entropy, hex. */
export function newCnonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The value of an Authorization / Proxy-Authorization header answering `challenge`. `cnonce` and `nonceCount`
 * default to a random cnonce and 1; callers that reuse a nonce pass the count from a `DigestNonceCounter`.
 */
export function buildDigestAuthorization(input: DigestResponseInput & { cnonce?: string; nonceCount?: number }): string {
  const { challenge } = input;
  const qop = chooseQop(challenge);
  // RFC 2617 section 3.2.2: cnonce and nc go with qop. The -sess algorithms need a cnonce even without qop.
  const needsCnonce = qop !== undefined || challenge.algorithm.endsWith('-sess');
  const cnonce = input.cnonce ?? newCnonce();
  const nonceCount = input.nonceCount ?? 1;
  const response = computeDigestResponse({ ...input, cnonce, nonceCount, qop });
  const parts = [
    `username=${quote(input.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(input.uri)}`,
    `response=${quote(response)}`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (needsCnonce) parts.push(`cnonce=${quote(cnonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${formatNonceCount(nonceCount)}`);
  return `Digest ${parts.join(', ')}`;
}

/**
 * Counts the requests sent with each nonce, so nc goes 00000001, 00000002... for a reused nonce (RFC 2617 section
 * 3.2.2: the server uses it to detect replays). Bounded: the oldest nonces are forgotten first.
 */
export class DigestNonceCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxNonces = 1024) {}

  next(nonce: string): number {
    const count = (this.counts.get(nonce) ?? 0) + 1;
    this.counts.delete(nonce);
    this.counts.set(nonce, count);
    if (this.counts.size > this.maxNonces) {
      const oldest = this.counts.keys().next().value;
      if (oldest !== undefined) this.counts.delete(oldest);
    }
    return count;
  }
}
