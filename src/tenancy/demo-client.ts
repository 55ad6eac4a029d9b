// `npm start` on an empty database creates a demo client so a newcomer can call the API at once. Its key is kept in
// DATA_DIR/demo-client.json (mode 0600) so later starts can print it again: keys are otherwise shown only once.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TenantRepository } from '../store/repositories/tenants.js';
import { NO_AUDIO, createCallFlow, createCli } from './operator.js';

export interface DemoClient {
  clientId: number;
  apiKey: string;
  callFlowId: number;
  cliId: number;
}

const DEMO_FLOW = {
  name: 'Demo reminder',
  message: 'Hello {Name}. This is Ringcast Demo with a reminder about your appointment. To change it, call 020 7946 0999. Goodbye.',
  voicemailMessage: 'Hello {Name}, this is Ringcast Demo with a reminder about your appointment. Please call us on 020 7946 0999. Goodbye.',
  smsText: 'Hello {Name}, Ringcast Demo tried to call you about your appointment. Call 020 7946 0999 to change it.',
};

/**
 * Returns the demo client: created now if the database has no clients, read back from DATA_DIR if an earlier start
 * made it and its key still works, otherwise undefined (a real deployment with its own clients).
 */
export async function ensureDemoClient(tenants: TenantRepository, dataDir: string): Promise<DemoClient | undefined> {
  const file = join(dataDir, 'demo-client.json');
  if (existsSync(file)) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoClient;
      if ((await tenants.authenticate(saved.apiKey)) === saved.clientId) return saved;
    } catch {
      // Unreadable or stale: fall through; only an empty database gets a new demo client.
    }
  }
  if ((await tenants.listClients()).length > 0) return undefined;
  const { client, apiKey } = await tenants.createClient('Demo client');
  const flow = await createCallFlow(tenants, NO_AUDIO, client.id, DEMO_FLOW);
  // 020 7946 0xxx is Ofcom's drama range: a valid London number that belongs to nobody.
  const cli = await createCli(tenants, client.id, { number: '020 7946 0999', label: 'Demo caller ID' });
  const demo: DemoClient = { clientId: client.id, apiKey, callFlowId: flow.id, cliId: cli.id };
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return demo;
}
