// `ringcast admin ...`: the operator API's operations from the shell, printing the same JSON the HTTP API returns.
// They open the database directly, so with embedded PGlite the server must be stopped first (the folder lock says so).
import { parseArgs } from 'node:util';
import type { Settings } from '../config/settings.js';
import { HttpProblem } from '../api/problem.js';
import { openConfiguredDatabase } from '../store/open-from-settings.js';
import { TenantRepository } from '../store/repositories/tenants.js';
import { createCallFlow, createCli, createClient } from '../tenancy/operator.js';

export const ADMIN_USAGE = `ringcast admin <resource> <action> [options]   (prints JSON)

  clients   create --name NAME | list | show ID | delete ID
  apikeys   create --client ID | list --client ID | revoke KEY_ID
  callflows create --client ID --name NAME [--message TEXT] [--voicemail-message TEXT] [--sms-text TEXT]
            list --client ID | show --client ID FLOW_ID | delete --client ID FLOW_ID
  clis      create --client ID --number NUMBER [--label TEXT]
            list --client ID | show --client ID CLI_ID | delete --client ID CLI_ID`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveInt(value: string | undefined, what: string): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n < 1 || n > 2147483647) throw new UsageError(`${what} must be a positive whole number`);
  return n;
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${option} is required`);
  return value;
}

/** Runs one admin command and returns what to print; throws UsageError or HttpProblem for bad input. */
export async function runAdminCommand(args: string[], settings: Settings): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      client: { type: 'string' },
      number: { type: 'string' },
      label: { type: 'string' },
      message: { type: 'string' },
      'voicemail-message': { type: 'string' },
      'sms-text': { type: 'string' },
    },
  });
  const [resource, action, idText] = positionals;
  if (!resource || !action) throw new UsageError(ADMIN_USAGE);
  const database = await openConfiguredDatabase(settings);
  try {
    // Awaited inside the try so the database stays open until the command's result is complete.
    return await dispatch(new TenantRepository(database.db));
  } finally {
    await database.close();
  }

  async function dispatch(tenants: TenantRepository): Promise<unknown> {
    const clientId = () => positiveInt(values.client, '--client');
    const id = () => positiveInt(idText, `${resource} id`);
    const found = <T>(row: T | undefined, what: string): T => {
      if (row === undefined) throw new HttpProblem(404, 'not-found', `${what} does not exist.`);
      return row;
    };
    const deleted = (ok: boolean, what: string) => {
      if (!ok) throw new HttpProblem(404, 'not-found', `${what} does not exist.`);
      return { deleted: true };
    };
    const requireClient = async (cid: number) => found(await tenants.getClient(cid), `Client ${cid}`);

    switch (`${resource} ${action}`) {
      case 'clients create': {
        const { client, apiKey } = await createClient(tenants, required(values.name, 'name'));
        return { id: client.id, name: client.name, apiKey };
      }
      case 'clients list':
        return tenants.listClients();
      case 'clients show':
        return found(await tenants.getClient(id()), `Client ${idText}`);
      case 'clients delete':
        return deleted(await tenants.deleteClient(id()), `Client ${idText}`);
      case 'apikeys create':
        await requireClient(clientId());
        return tenants.createApiKey(clientId());
      case 'apikeys list':
        await requireClient(clientId());
        return tenants.listApiKeys(clientId());
      case 'apikeys revoke':
        return deleted(await tenants.revokeApiKey(id(), new Date()), `Active API key ${idText}`);
      case 'callflows create':
        await requireClient(clientId());
        return createCallFlow(tenants, clientId(), {
          name: required(values.name, 'name'),
          message: values.message,
          voicemailMessage: values['voicemail-message'],
          smsText: values['sms-text'],
        });
      case 'callflows list':
        await requireClient(clientId());
        return tenants.listCallFlows(clientId());
      case 'callflows show':
        return found(await tenants.getCallFlow(clientId(), id()), `Call flow ${idText}`);
      case 'callflows delete':
        return deleted(await tenants.deleteCallFlow(clientId(), id()), `Call flow ${idText}`);
      case 'clis create':
        await requireClient(clientId());
        return createCli(tenants, clientId(), { number: required(values.number, 'number'), label: values.label });
      case 'clis list':
        await requireClient(clientId());
        return tenants.listClis(clientId());
      case 'clis show':
        return found(await tenants.getCli(clientId(), id()), `CLI ${idText}`);
      case 'clis delete':
        return deleted(await tenants.deleteCli(clientId(), id()), `CLI ${idText}`);
      default:
        throw new UsageError(`Unknown admin command "${resource} ${action}".\n\n${ADMIN_USAGE}`);
    }
  }
}
