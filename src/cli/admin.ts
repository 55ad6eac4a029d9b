// `ringcast admin ...`: the operator API's operations from the shell, printing the same JSON the HTTP API returns.
// They open the database directly, so with embedded PGlite the server must be stopped first (the folder lock says so).
import { parseArgs } from 'node:util';
import type { Settings } from '../config/settings.js';
import { HttpProblem } from '../api/problem.js';
import { openConfiguredDatabase } from '../store/open-from-settings.js';
import { TenantRepository } from '../store/repositories/tenants.js';
import { AudioRepository } from '../store/repositories/audio.js';
import { uploadAudio, uploadKindOfFileName } from '../tenancy/audio.js';
import { readFileSync } from 'node:fs';
import { createCallFlow, createCli, createClient, updateCallFlow, updateClient } from '../tenancy/operator.js';
import { toCallFlowView } from '../api/routes/call-flow-views.js';
import { UsageError } from './usage-error.js';
import { COMPLIANCE_RESOURCES, COMPLIANCE_USAGE, runComplianceCommand } from './admin-compliance.js';
import { createInterface } from 'node:readline';

export const ADMIN_USAGE = `ringcast admin <resource> <action> [options]   (prints JSON)

  clients   create --name NAME [--allow-countries FR,IE] | list | show ID | delete ID
            update ID [--name NAME] [--allow-countries FR,IE]   (countries beyond the UK its campaigns may call;
            GB, GG, IM, JE always; --allow-countries "" allows none)
  apikeys   create --client ID | list --client ID | revoke KEY_ID
  callflows create --client ID --name NAME [--flow-file FLOW.json | --message TEXT --voicemail-message TEXT --sms-text TEXT]
            update --client ID FLOW_ID --name NAME [--flow-file FLOW.json | --message TEXT ...]   (a new version)
            list --client ID | show --client ID FLOW_ID | versions --client ID FLOW_ID | delete --client ID FLOW_ID
  clis      create --client ID --number NUMBER [--label TEXT]
            list --client ID | show --client ID CLI_ID | delete --client ID CLI_ID
  audio     upload --client ID --name NAME FILE   (.wav or .mp3; stored as 8 kHz mono)
            list --client ID | delete --client ID AUDIO_ID
${COMPLIANCE_USAGE}`;

export { UsageError };

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
  // Do-not-call lists, registers and compliance settings have options of their own (admin-compliance.ts).
  if ((COMPLIANCE_RESOURCES as readonly string[]).includes(args[0] ?? '')) {
    const database = await openConfiguredDatabase(settings);
    try {
      return await runComplianceCommand(args, database, () => new Date(), {
        progress: (line) => process.stderr.write(`${line}\n`),
        stdin: () => createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }),
      });
    } finally {
      await database.close();
    }
  }
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
      'flow-file': { type: 'string' },
      'allow-countries': { type: 'string' },
    },
  });
  const [resource, action, idText] = positionals;
  if (!resource || !action) throw new UsageError(ADMIN_USAGE);
  const database = await openConfiguredDatabase(settings);
  try {
    // Awaited inside the try so the database stays open until the command's result is complete.
    return await dispatch(new TenantRepository(database.db), new AudioRepository(database.db));
  } finally {
    await database.close();
  }

  async function dispatch(tenants: TenantRepository, audio: AudioRepository): Promise<unknown> {
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
    /** A flow from --flow-file (a JSON flow document) or from the one-message options. */
    const flowInput = () => {
      const file = values['flow-file'];
      let flow: unknown;
      if (file !== undefined) {
        try {
          flow = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new UsageError(`--flow-file ${file}: ${(error as Error).message}`);
        }
      }
      return {
        name: required(values.name, 'name'),
        ...(flow !== undefined ? { flow } : {}),
        message: values.message,
        voicemailMessage: values['voicemail-message'],
        smsText: values['sms-text'],
        maxSmsParts: settings.SMS_MAX_PARTS,
      };
    };
    /** --allow-countries FR,IE as a list ("" is none); undefined when the option is absent. */
    const countries = () =>
      values['allow-countries']
        ?.split(',')
        .map((code) => code.trim())
        .filter((code) => code !== '');
    const requireClient = async (cid: number) => found(await tenants.getClient(cid), `Client ${cid}`);

    switch (`${resource} ${action}`) {
      case 'clients create': {
        const { client, apiKey } = await createClient(tenants, { name: required(values.name, 'name'), allowedCountries: countries() });
        return { id: client.id, name: client.name, allowedCountries: client.allowedCountries, apiKey };
      }
      case 'clients update': {
        if (values.name === undefined && values['allow-countries'] === undefined) {
          throw new UsageError('clients update needs --name or --allow-countries');
        }
        const changes = { ...(values.name !== undefined ? { name: values.name } : {}), allowedCountries: countries() };
        return found(await updateClient(tenants, id(), changes), `Client ${idText}`);
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
        return toCallFlowView(await createCallFlow(tenants, audio, clientId(), flowInput()));
      case 'callflows update':
        return toCallFlowView(found(await updateCallFlow(tenants, audio, clientId(), id(), flowInput()), `Call flow ${idText}`));
      case 'callflows versions':
        found(await tenants.getCallFlow(clientId(), id()), `Call flow ${idText}`);
        return tenants.listCallFlowVersions(id());
      case 'callflows list':
        await requireClient(clientId());
        return (await tenants.listCallFlows(clientId())).map(toCallFlowView);
      case 'callflows show':
        return toCallFlowView(found(await tenants.getCallFlow(clientId(), id()), `Call flow ${idText}`));
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
      case 'audio upload': {
        // The file is the positional after the action.
        const file = idText;
        if (file === undefined) throw new UsageError('audio upload needs the FILE to upload');
        const kind = uploadKindOfFileName(file);
        if (kind === undefined) throw new UsageError(`${file}: only .wav and .mp3 files can be uploaded`);
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(file);
        } catch (error) {
          throw new UsageError(`${file}: ${(error as Error).message}`);
        }
        await requireClient(clientId());
        return uploadAudio(audio, { clientId: clientId(), name: required(values.name, 'name'), kind, bytes });
      }
      case 'audio list':
        await requireClient(clientId());
        return audio.list(clientId());
      case 'audio delete':
        return deleted(await audio.delete(clientId(), id()), `Audio file ${idText}`);
      default:
        throw new UsageError(`Unknown admin command "${resource} ${action}".\n\n${ADMIN_USAGE}`);
    }
  }
}
