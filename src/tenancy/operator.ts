// Operator actions shared by the HTTP operator API and the `ringcast admin` commands, so both apply the same rules.
import { FieldErrorCollector, validationProblem } from '../api/problem.js';
import { DEFAULT_FLOW_MESSAGE, DEFAULT_SMS_TEXT, DEFAULT_VOICEMAIL_MESSAGE } from '../domain/call-flow-defaults.js';
import { flowFromSimpleMessage, validateFlow, type Flow } from '../callflow/index.js';
import { checkCallerId } from '../domain/phone-number.js';
import { checkAllowedCountries } from '../domain/destination-country.js';
import type { CallFlowRow, ClientRow, CliRow, TenantRepository } from '../store/repositories/tenants.js';

/** Which audio files a client owns (src/store/repositories/audio.ts), for checking a flow's play steps. */
export interface AudioOwnership {
  idsOwnedBy(clientId: number, ids: readonly number[]): Promise<Set<number>>;
}

export interface ClientInput {
  name: string;
  /** ISO 3166 alpha-2 codes of the countries beyond the UK its campaigns may call; none by default. */
  allowedCountries?: readonly unknown[] | undefined;
}

/** A new client with its first API key (returned once). The name is trimmed: "  Acme " and "Acme" are one name. */
export async function createClient(tenants: TenantRepository, input: ClientInput): Promise<{ client: ClientRow; apiKey: string }> {
  const errors = new FieldErrorCollector();
  const name = checkClientName(input.name, errors);
  const allowedCountries = checkCountries(input.allowedCountries ?? [], errors);
  if (!errors.isEmpty || name === undefined || allowedCountries === undefined) throw validationProblem(errors.errors);
  return tenants.createClient(name, allowedCountries);
}

/** Renames a client and/or replaces its allowed countries; undefined when it does not exist. */
export async function updateClient(
  tenants: TenantRepository,
  id: number,
  input: Partial<ClientInput>,
): Promise<ClientRow | undefined> {
  const errors = new FieldErrorCollector();
  const name = input.name === undefined ? undefined : checkClientName(input.name, errors);
  const allowedCountries = input.allowedCountries === undefined ? undefined : checkCountries(input.allowedCountries, errors);
  if (!errors.isEmpty) throw validationProblem(errors.errors);
  return tenants.updateClient(id, { ...(name !== undefined ? { name } : {}), ...(allowedCountries ? { allowedCountries } : {}) });
}

function checkClientName(name: string, errors: FieldErrorCollector): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') errors.add('Name', 'The Name field is required.');
  return trimmed === '' ? undefined : trimmed;
}

/** Uppercase, sorted, without the UK's regions (always allowed); errors at AllowedCountries[i]. */
function checkCountries(codes: readonly unknown[], errors: FieldErrorCollector): string[] | undefined {
  const checked = checkAllowedCountries(codes);
  if (checked.ok) return checked.countries;
  for (const { index, message } of checked.errors) errors.add(index < 0 ? 'AllowedCountries' : `AllowedCountries[${index}]`, message);
  return undefined;
}

export interface CallFlowInput {
  name: string;
  /** A flow document (src/callflow/schema.ts); or, for a one-message flow, the three texts below. */
  flow?: unknown;
  message?: string | undefined;
  voicemailMessage?: string | undefined;
  smsText?: string | undefined;
  /** SMS texts longer than this many parts are refused (the SMS_MAX_PARTS setting); default MAX_SMS_PARTS. */
  maxSmsParts?: number | undefined;
}

/** Default SMS length limit in parts (GSM-7 153 / UCS-2 67 characters a part when concatenated). */
export const MAX_SMS_PARTS = 4;

/** Field paths of a one-message flow's document, as the request spelled them. */
const SIMPLE_FIELD_PATHS: Record<string, string> = {
  'Steps[0].Text': 'Message',
  'Voicemail.Say': 'VoicemailMessage',
  SmsOnBusy: 'SmsText',
};

/** Validates a create or update request and returns the flow document to store (400 with every error otherwise). */
export function flowFromInput(input: CallFlowInput): { name: string; flow: Flow } {
  const errors = new FieldErrorCollector();
  const name = input.name.trim();
  if (name === '') errors.add('Name', 'The Name field is required.');
  const simple = input.message !== undefined || input.voicemailMessage !== undefined || input.smsText !== undefined;
  if (input.flow !== undefined && simple) {
    errors.add('Flow', 'Give either a flow document or message/voicemailMessage/smsText, not both.');
    throw validationProblem(errors.errors);
  }
  const document =
    input.flow ??
    flowFromSimpleMessage({
      message: input.message ?? DEFAULT_FLOW_MESSAGE,
      voicemailMessage: input.voicemailMessage ?? DEFAULT_VOICEMAIL_MESSAGE,
      smsText: input.smsText ?? DEFAULT_SMS_TEXT,
    });
  const checked = validateFlow(document, { maxSmsParts: input.maxSmsParts ?? MAX_SMS_PARTS });
  if (!checked.ok) {
    for (const [path, messages] of Object.entries(checked.errors)) {
      const shown = input.flow === undefined ? (SIMPLE_FIELD_PATHS[path] ?? `Flow.${path}`) : `Flow.${path}`;
      for (const message of messages) errors.add(shown, message);
    }
  }
  if (!errors.isEmpty || !checked.ok) throw validationProblem(errors.errors);
  return { name, flow: checked.flow };
}

/** For flows made without any uploaded audio (the demo client's): every play step's audio id is unknown. */
export const NO_AUDIO: AudioOwnership = { idsOwnedBy: async () => new Set() };

/**
 * A play step may only play the flow's own client's audio: another client's id (or one that does not exist) is a
 * validation error at the step's AudioId, so a flow can never play, or probe for, someone else's recording.
 */
export async function checkFlowAudio(audio: AudioOwnership, clientId: number, flow: Flow): Promise<void> {
  const plays = flow.steps.flatMap((step, index) => (step.type === 'play' ? [{ index, audioId: step.audioId }] : []));
  if (plays.length === 0) return;
  const owned = await audio.idsOwnedBy(clientId, [...new Set(plays.map((play) => play.audioId))]);
  const errors = new FieldErrorCollector();
  for (const { index, audioId } of plays) {
    if (!owned.has(audioId)) errors.add(`Flow.Steps[${index}].AudioId`, `Audio file ${audioId} does not exist for this client.`);
  }
  if (!errors.isEmpty) throw validationProblem(errors.errors);
}

export async function createCallFlow(
  tenants: TenantRepository,
  audio: AudioOwnership,
  clientId: number,
  input: CallFlowInput,
): Promise<CallFlowRow> {
  const { name, flow } = flowFromInput(input);
  await checkFlowAudio(audio, clientId, flow);
  return tenants.createCallFlow({ clientId, name, flow });
}

/** Saves an edit as a new version; undefined when the flow does not exist for this client. */
export async function updateCallFlow(
  tenants: TenantRepository,
  audio: AudioOwnership,
  clientId: number,
  id: number,
  input: CallFlowInput,
): Promise<CallFlowRow | undefined> {
  const { name, flow } = flowFromInput(input);
  await checkFlowAudio(audio, clientId, flow);
  return tenants.updateCallFlow(clientId, id, { name, flow });
}

export interface CliInput {
  number: string;
  label?: string | undefined;
}

export async function createCli(tenants: TenantRepository, clientId: number, input: CliInput): Promise<CliRow> {
  const check = checkCallerId(input.number);
  if (!check.ok) throw validationProblem({ Number: [check.message] });
  return tenants.createCli({ clientId, number: check.number.e164, label: input.label?.trim() ?? '' });
}
