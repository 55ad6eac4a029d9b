// Schemas of the operator API and of the client's read-only discovery endpoints.
import { Type } from '@sinclair/typebox';
import type { Flow } from '../../callflow/schema.js';
import { MAX_ALLOWED_COUNTRIES, UK_REGIONS } from '../../domain/destination-country.js';
import { IdSchema } from './common.js';

/** Dates leave the store as Date objects; the serializer writes them as ISO 8601 strings. */
const Timestamp = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });
const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) });

/**
 * Countries beyond the UK a client's campaigns may call (src/domain/destination-country.ts). The codes are checked
 * by the operator rules, which say what is wrong with one; the schema only bounds the sizes.
 */
const AllowedCountries = Type.Array(Type.String({ maxLength: 8, description: 'ISO 3166 alpha-2, such as FR or IE' }), {
  maxItems: MAX_ALLOWED_COUNTRIES,
  description: `Countries beyond the UK this client's campaigns may call, as ISO 3166 alpha-2 codes. ${UK_REGIONS.join(', ')} are always allowed; numbers elsewhere are refused.`,
});
export const ClientSchema = Type.Object({ id: Type.Integer(), name: Type.String(), allowedCountries: AllowedCountries, createdAt: Timestamp });
// The operator's and a client's own bodies refuse fields they do not name (src/api/ajv-options.ts), so a
// misspelt field is a 400 rather than a silent default.
const CLOSED = { additionalProperties: false } as const;

export const CreateClientBody = Type.Object({ name: Text(200, 'Client (tenant) name'), allowedCountries: Type.Optional(AllowedCountries) }, CLOSED);
export const UpdateClientBody = Type.Object(
  { name: Type.Optional(Text(200, 'Client (tenant) name')), allowedCountries: Type.Optional(AllowedCountries) },
  { minProperties: 1, ...CLOSED },
);
export const CreatedClientSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  allowedCountries: AllowedCountries,
  apiKey: Type.String({ description: 'Shown once; store it now' }),
});

export const ApiKeySchema = Type.Object({
  id: Type.Integer(),
  clientId: Type.Integer(),
  keyPrefix: Type.String({ description: 'The first characters of the key, for recognising it' }),
  createdAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});
export const CreatedApiKeySchema = Type.Object({ id: Type.Integer(), apiKey: Type.String({ description: 'Shown once' }) });
export const KeyIdParams = Type.Object({ keyId: IdSchema() });

const placeholderHelp = 'Placeholders: {Name}, {Parameter1}..{Parameter9}';
/**
 * A flow document in a request or response. Its full schema is the OpenAPI component CallFlowDocument
 * (src/callflow/schema.ts); validateFlow checks it with messages keyed by step, so the route schema only asks for an
 * object here.
 */
const FlowDocument = Type.Unsafe<Flow>({
  type: 'object',
  additionalProperties: true,
  description: 'A call-flow document (schema: CallFlowDocument): {version: 1, start, steps, voicemail, smsOnBusy}',
});

export const CreateCallFlowBody = Type.Object({
  name: Text(100),
  flow: Type.Optional(FlowDocument),
  message: Type.Optional(Text(5000, `One-message flow: spoken to a person who answers. ${placeholderHelp}`)),
  voicemailMessage: Type.Optional(Text(5000, `One-message flow: left on an answering machine. ${placeholderHelp}`)),
  smsText: Type.Optional(Text(1600, `One-message flow: sent by SMS on busy. ${placeholderHelp}`)),
}, CLOSED);
export const CallFlowSchema = Type.Object({
  id: Type.Integer(),
  clientId: Type.Integer(),
  name: Type.String(),
  version: Type.Integer({ description: 'Current version; every update adds one. Campaigns keep the version they were created with.' }),
  flow: FlowDocument,
  message: Type.Union([Type.String(), Type.Null()], { description: "The first step's text when it is a say step" }),
  voicemailMessage: Type.String({ description: 'flow.voicemail.say' }),
  smsText: Type.String({ description: 'flow.smsOnBusy' }),
  createdAt: Timestamp,
});
export const CallFlowVersionSchema = Type.Object({ version: Type.Integer(), createdAt: Timestamp });

export const CreateCliBody = Type.Object({
  number: Type.String({ minLength: 1, maxLength: 32, description: 'A UK number; not premium rate (09, 084, 087)' }),
  label: Type.Optional(Type.String({ maxLength: 100 })),
}, CLOSED);
export const CliSchema = Type.Object({
  id: Type.Integer(),
  clientId: Type.Integer(),
  number: Type.String({ description: 'E.164' }),
  label: Type.String(),
  createdAt: Timestamp,
});

export const ClientChildParams = Type.Object({
  clientId: IdSchema(),
  id: IdSchema(),
});
