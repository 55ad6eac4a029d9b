// SIP trunk configuration: where calls go and as whom. One TypeBox schema validates the trunks whether they come from
// the single-trunk SIP_TRUNK_* settings or from SIP_TRUNKS_JSON, so a typo stops the process with a message naming
// the trunk and the field instead of failing the first call.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const SipTrunkSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$', description: 'Shown in logs and call records' }),
    host: Type.String({
      minLength: 1,
      maxLength: 253,
      pattern: '^[A-Za-z0-9.:-]+$',
      description: 'IP address, host name, or SRV domain (looked up as _sip._udp / _sip._tcp when no port is given)',
    }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Omit to use SRV records, else 5060' })),
    transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp')], { default: 'udp' }),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Digest user name for 401/407 challenges' })),
    password: Type.Optional(Type.String({ maxLength: 256 })),
    fromDomain: Type.Optional(
      Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$', description: 'Host part of From and P-Asserted-Identity (default: host)' }),
    ),
    numberFormat: Type.Union([Type.Literal('e164'), Type.Literal('digits')], {
      default: 'e164',
      description: 'How the called number and CLI appear in URIs: +442079460001 (e164) or 442079460001 (digits)',
    }),
    maxCalls: Type.Integer({ minimum: 1, maximum: 100_000, default: 30, description: 'Concurrent calls on this trunk' }),
    maxCps: Type.Number({ exclusiveMinimum: 0, maximum: 10_000, default: 5, description: 'Call starts per second on this trunk' }),
    register: Type.Boolean({
      default: false,
      description: 'REGISTER to the trunk as username@host (RFC 3261 section 10) and keep the registration refreshed',
    }),
    registerExpiresS: Type.Integer({
      minimum: 60,
      maximum: 86_400,
      default: 600,
      description: 'Registration lifetime asked for, in seconds (the registrar may grant less)',
    }),
  },
  { additionalProperties: false },
);

export type SipTrunk = Static<typeof SipTrunkSchema>;

export class TrunkConfigError extends Error {
  override readonly name = 'TrunkConfigError';
}

/** Validates one trunk given as a plain object (from JSON or settings); throws TrunkConfigError listing every problem. */
export function parseTrunk(raw: unknown, label: string): SipTrunk {
  const withDefaults = Value.Default(SipTrunkSchema, Value.Clone(raw));
  const problems = [...Value.Errors(SipTrunkSchema, withDefaults)].map(
    (error) => `${label}${error.path.replaceAll('/', '.')}: ${error.message}`,
  );
  if (problems.length > 0) throw new TrunkConfigError(problems.join('; '));
  const trunk = withDefaults as SipTrunk;
  if (trunk.password !== undefined && trunk.username === undefined) {
    throw new TrunkConfigError(`${label}.password: given without a username`);
  }
  if (trunk.register && trunk.username === undefined) {
    throw new TrunkConfigError(`${label}.register: registering needs a username (and usually a password)`);
  }
  return trunk;
}

/** SIP_TRUNKS_JSON: an array of trunks; names must be unique. */
export function parseTrunksJson(json: string): SipTrunk[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new TrunkConfigError(`not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new TrunkConfigError('must be a non-empty JSON array of trunks');
  const trunks = raw.map((item, index) => parseTrunk(item, `[${index}]`));
  const seen = new Set<string>();
  for (const trunk of trunks) {
    if (seen.has(trunk.name)) throw new TrunkConfigError(`trunk name "${trunk.name}" is used twice`);
    seen.add(trunk.name);
  }
  return trunks;
}

/** The settings this module reads (a subset of src/config/settings.ts, kept structural to avoid an import cycle). */
export interface TrunkSettings {
  SIP_TRUNKS_JSON?: string | undefined;
  SIP_TRUNK_HOST?: string | undefined;
  SIP_TRUNK_PORT?: number | undefined;
  SIP_TRUNK_TRANSPORT?: 'udp' | 'tcp' | undefined;
  SIP_TRUNK_USERNAME?: string | undefined;
  SIP_TRUNK_PASSWORD?: string | undefined;
  SIP_TRUNK_FROM_DOMAIN?: string | undefined;
  SIP_TRUNK_MAX_CALLS?: number | undefined;
  SIP_TRUNK_MAX_CPS?: number | undefined;
  SIP_TRUNK_REGISTER?: boolean | undefined;
}

/**
 * The trunks to dial through: SIP_TRUNKS_JSON when set, else the single trunk of SIP_TRUNK_HOST and its companions.
 * Mixing both is refused, since one of them would be silently ignored.
 */
export function trunksFromSettings(settings: TrunkSettings): SipTrunk[] {
  const singleKeys = (Object.keys(settings) as (keyof TrunkSettings)[]).filter(
    (key) => key.startsWith('SIP_TRUNK_') && settings[key] !== undefined,
  );
  if (settings.SIP_TRUNKS_JSON !== undefined) {
    if (singleKeys.length > 0) {
      throw new TrunkConfigError(`set either SIP_TRUNKS_JSON or SIP_TRUNK_* (${singleKeys.join(', ')}), not both`);
    }
    return parseTrunksJson(settings.SIP_TRUNKS_JSON);
  }
  if (settings.SIP_TRUNK_HOST === undefined) {
    throw new TrunkConfigError('CARRIER=sip needs a trunk: set SIP_TRUNK_HOST (one trunk) or SIP_TRUNKS_JSON (several)');
  }
  const raw: Record<string, unknown> = { name: 'trunk', host: settings.SIP_TRUNK_HOST };
  if (settings.SIP_TRUNK_PORT !== undefined) raw['port'] = settings.SIP_TRUNK_PORT;
  if (settings.SIP_TRUNK_TRANSPORT !== undefined) raw['transport'] = settings.SIP_TRUNK_TRANSPORT;
  if (settings.SIP_TRUNK_USERNAME !== undefined) raw['username'] = settings.SIP_TRUNK_USERNAME;
  if (settings.SIP_TRUNK_PASSWORD !== undefined) raw['password'] = settings.SIP_TRUNK_PASSWORD;
  if (settings.SIP_TRUNK_FROM_DOMAIN !== undefined) raw['fromDomain'] = settings.SIP_TRUNK_FROM_DOMAIN;
  if (settings.SIP_TRUNK_MAX_CALLS !== undefined) raw['maxCalls'] = settings.SIP_TRUNK_MAX_CALLS;
  if (settings.SIP_TRUNK_MAX_CPS !== undefined) raw['maxCps'] = settings.SIP_TRUNK_MAX_CPS;
  if (settings.SIP_TRUNK_REGISTER !== undefined) raw['register'] = settings.SIP_TRUNK_REGISTER;
  return [parseTrunk(raw, 'SIP_TRUNK')];
}
