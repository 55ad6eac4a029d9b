// `npm start` on an empty database creates a demo client so a newcomer can call the API at once.
//
// Its key is never written to disk: keys are stored only as digests, so a key can be shown once, when it is made.
// Every start therefore makes a new key for the demo client and prints it (earlier keys keep working until revoked).
// The client is found again by its clients.is_demo flag, which lives in the database: nothing needs DATA_DIR, so a
// server on PostgreSQL needs no data folder at all.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TenantRepository } from '../store/repositories/tenants.js';
import { NO_AUDIO, createCallFlow, createCli } from './operator.js';

export interface DemoClient {
  clientId: number;
  /** A key made by this start, shown once. */
  apiKey: string;
  /** The demo's call flow and caller ID (made again if missing, so the banner's example always works). */
  callFlowId: number;
  cliId: number;
  /** True when this start created the client (first start on an empty database). */
  created: boolean;
}

export interface DemoClientOptions {
  /** Where versions before 0.2 kept the demo key in clear (DATA_DIR/demo-client.json); removed when found. */
  legacyDataDir?: string;
  log?: { warn(message: string): void };
}

const DEMO_NAME = 'Demo client';

const DEMO_FLOW = {
  name: 'Demo reminder',
  message: 'Hello {Name}. This is Ringcast Demo with a reminder about your appointment. To change it, call 020 7946 0999. Goodbye.',
  voicemailMessage: 'Hello {Name}, this is Ringcast Demo with a reminder about your appointment. Please call us on 020 7946 0999. Goodbye.',
  smsText: 'Hello {Name}, Ringcast Demo tried to call you about your appointment. Call 020 7946 0999 to change it.',
};
// 020 7946 0xxx is Ofcom's drama range: a valid London number that belongs to nobody.
const DEMO_CLI = { number: '020 7946 0999', label: 'Demo caller ID' };

/**
 * Returns the demo client with a new key: created now if the database has no clients, found by its flag otherwise;
 * undefined for a database with clients but no demo client (a real deployment).
 */
export async function ensureDemoClient(tenants: TenantRepository, options: DemoClientOptions = {}): Promise<DemoClient | undefined> {
  if (options.legacyDataDir !== undefined) await adoptLegacyFile(tenants, options.legacyDataDir, options.log);
  const existing = await tenants.findDemoClient();
  if (existing) {
    const { apiKey } = await tenants.createApiKey(existing.id);
    return { clientId: existing.id, apiKey, ...(await demoResources(tenants, existing.id)), created: false };
  }
  if ((await tenants.listClients()).length > 0) return undefined;
  const { client, apiKey } = await tenants.createClient(DEMO_NAME);
  // Flagged before its flow and CLI exist: a start interrupted here is completed by the next one (demoResources).
  await tenants.markDemoClient(client.id);
  return { clientId: client.id, apiKey, ...(await demoResources(tenants, client.id)), created: true };
}

/** The demo's flow and CLI, made when missing and the client has none (a first start, or one cut short). */
async function demoResources(tenants: TenantRepository, clientId: number): Promise<Pick<DemoClient, 'callFlowId' | 'cliId'>> {
  const flows = await tenants.listCallFlows(clientId);
  const clis = await tenants.listClis(clientId);
  const callFlowId = flows[0]?.id ?? (await createCallFlow(tenants, NO_AUDIO, clientId, DEMO_FLOW)).id;
  const cliId = clis[0]?.id ?? (await createCli(tenants, clientId, DEMO_CLI)).id;
  return { callFlowId, cliId };
}

/**
 * Versions before 0.2 kept the demo key in clear in DATA_DIR/demo-client.json and did not flag the client. The file
 * is deleted (a key on disk is what this change removes); the client it names is flagged if its key still works.
 */
async function adoptLegacyFile(tenants: TenantRepository, dataDir: string, log: DemoClientOptions['log']): Promise<void> {
  const file = join(dataDir, 'demo-client.json');
  if (!existsSync(file)) return;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { clientId?: unknown; apiKey?: unknown };
    if (typeof saved.apiKey === 'string' && typeof saved.clientId === 'number') {
      if ((await tenants.authenticate(saved.apiKey))?.clientId === saved.clientId && !(await tenants.findDemoClient())) {
        await tenants.markDemoClient(saved.clientId);
      }
    }
  } catch {
    // Unreadable: nothing to adopt; the file goes all the same.
  }
  rmSync(file, { force: true });
  log?.warn(`Removed ${file}: the demo key is no longer kept on disk (the key it held still works until revoked).`);
}
