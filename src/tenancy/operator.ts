// Operator actions shared by the HTTP operator API and the `ringcast admin` commands, so both apply the same rules.
import { FieldErrorCollector, validationProblem } from '../api/problem.js';
import { DEFAULT_FLOW_MESSAGE, DEFAULT_SMS_TEXT, DEFAULT_VOICEMAIL_MESSAGE } from '../domain/call-flow-defaults.js';
import { unknownPlaceholders } from '../domain/placeholders.js';
import { checkCallerId } from '../domain/phone-number.js';
import type { CallFlowRow, ClientRow, CliRow, TenantRepository } from '../store/repositories/tenants.js';

/** A new client with its first API key (returned once). The name is trimmed: "  Acme " and "Acme" are one name. */
export async function createClient(tenants: TenantRepository, name: string): Promise<{ client: ClientRow; apiKey: string }> {
  const trimmed = name.trim();
  if (trimmed === '') throw validationProblem({ Name: ['The Name field is required.'] });
  return tenants.createClient(trimmed);
}

export interface CallFlowInput {
  name: string;
  message?: string | undefined;
  voicemailMessage?: string | undefined;
  smsText?: string | undefined;
}

export async function createCallFlow(tenants: TenantRepository, clientId: number, input: CallFlowInput): Promise<CallFlowRow> {
  const flow = {
    clientId,
    name: input.name.trim(),
    message: input.message ?? DEFAULT_FLOW_MESSAGE,
    voicemailMessage: input.voicemailMessage ?? DEFAULT_VOICEMAIL_MESSAGE,
    smsText: input.smsText ?? DEFAULT_SMS_TEXT,
  };
  const errors = new FieldErrorCollector();
  if (flow.name === '') errors.add('Name', 'The Name field is required.');
  for (const field of ['message', 'voicemailMessage', 'smsText'] as const) {
    for (const placeholder of unknownPlaceholders(flow[field])) {
      const path = field.charAt(0).toUpperCase() + field.slice(1);
      errors.add(path, `${placeholder} is not a known placeholder; use {Name} or {Parameter1}..{Parameter9}.`);
    }
  }
  if (!errors.isEmpty) throw validationProblem(errors.errors);
  return tenants.createCallFlow(flow);
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
