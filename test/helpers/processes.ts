// Helpers for tests that run real `ringcast` processes against PostgreSQL: spawn, wait for, signal, and a campaign
// whose calling window is open right now (created through the repository, since the API only accepts future starts).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import type { Db } from '../../src/store/database.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { ComplianceRepository } from '../../src/store/repositories/compliance.js';
import { ANY_TIME } from './dialer-harness.js';
import { AudioRepository } from '../../src/store/repositories/audio.js';
import { CampaignRepository } from '../../src/store/repositories/campaigns.js';
import { createCallFlow, createCli } from '../../src/tenancy/operator.js';
import { checkCampaignRequest } from '../../src/domain/campaign-request.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface RingcastProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnRingcast(command: string, env: Record<string, string>): RingcastProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', command], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', DEMO_CLIENT: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += String(chunk)));
  child.stderr!.on('data', (chunk) => (text += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => text, exited };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A fixed-offset zone in which it is now mid-morning to early evening, so a window opened an hour ago is open. */
export function zoneWithDaylightNow(now = new Date()): string {
  for (let offset = -12; offset <= 14; offset++) {
    const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const hour = DateTime.fromJSDate(now, { zone }).hour;
    if (hour >= 9 && hour <= 15) return zone;
  }
  throw new Error('no zone found');
}

/** Distinct valid UK mobile numbers. */
export function ukMobiles(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `0771${String(1_000_000 + offset + i).padStart(7, '0')}`);
}

export async function createOpenCampaign(
  db: Db,
  options: { numbers: string[]; attempts: { interval: number; attemptNumber: number }[]; name?: string },
): Promise<{ campaignId: number; clientId: number }> {
  const tenant = await createOpenClient(db);
  const campaignId = await addOpenCampaign(db, tenant, options);
  return { campaignId, clientId: tenant.clientId };
}

/** What a campaign of a client needs: the client, a call flow and a CLI. */
export interface OpenClient {
  clientId: number;
  callFlowId: number;
  cliId: number;
}

/** A new client with a call flow and a CLI, for one or more campaigns (addOpenCampaign). */
export async function createOpenClient(db: Db, name = 'Process test client'): Promise<OpenClient> {
  const tenants = new TenantRepository(db);
  const { client } = await tenants.createClient(name);
  // These tests run on whatever day and hour the machine is at, and retry machines minutes apart: the client's
  // operator allows any time and has the 24-hour machine rule off (test/dialer/compliance.test.ts tests the rules).
  const compliance = new ComplianceRepository(db);
  await compliance.setCallingHours(client.id, ANY_TIME);
  await compliance.setMachineRuleOffReason(client.id, 'process test: the dialer mechanics, on any day and hour');
  const flow = await createCallFlow(tenants, new AudioRepository(db), client.id, { name: 'Flow' });
  const cli = await createCli(tenants, client.id, { number: '020 7946 0999' });
  return { clientId: client.id, callFlowId: flow.id, cliId: cli.id };
}

/** A campaign of `client` whose calling window is open now (started an hour ago, open until 23:00 in its zone). */
export async function addOpenCampaign(
  db: Db,
  client: OpenClient,
  options: { numbers: string[]; attempts: { interval: number; attemptNumber: number }[]; name?: string },
): Promise<number> {
  const zone = zoneWithDaylightNow();
  const local = DateTime.now().setZone(zone);
  const startLocal = local.minus({ hours: 1 }).startOf('hour');
  const check = checkCampaignRequest({
    body: {
      name: options.name ?? 'Open now',
      startDate: local.toISODate(),
      startTime: startLocal.toFormat('HH:mm'),
      finishTime: '23:00',
      timeZone: zone,
      callflow_Id: client.callFlowId,
      defaultCli_Id: client.cliId,
      attempts: options.attempts,
      answerMachineDetected: 0,
      smsOnBusy: 0,
      phoneNumbers: options.numbers.map((number, i) => ({ number, name: `N${i}` })),
    },
    schemaErrors: {},
    // Validated as of a minute before its start, when the start was still in the future.
    now: startLocal.minus({ minutes: 1 }).toJSDate(),
    ignoreInvalidPhoneNumbers: false,
  });
  if (!check.ok) throw new Error(JSON.stringify(check.errors));
  return new CampaignRepository(db).create(client.clientId, check.plan);
}
