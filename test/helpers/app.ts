// Builds the real app on a fresh database with a manual clock, plus helpers to make tenants through the operator API.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { ManualClock } from '../../src/domain/clock.js';
import { createTestDatabase, type BackendKind, type TestDatabase } from './backends.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Tests run "now" at this instant unless they move the clock. */
export const TEST_NOW = '2026-11-26T10:00:00Z';

export interface Tenant {
  clientId: number;
  apiKey: string;
  callFlowId: number;
  cliId: number;
  headers: Record<string, string>;
}

export interface TestApp {
  app: App;
  clock: ManualClock;
  db: TestDatabase;
  admin(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** A new client with one call flow and one CLI, made through the operator API. */
  createTenant(name?: string): Promise<Tenant>;
  close(): Promise<void>;
}

let tenantCounter = 0;

type AdminRequest = (options: InjectOptions) => Promise<LightMyRequestResponse>;

/** A new client with one call flow and one CLI, made through the operator API as `admin` sends it. */
export async function createTenantThrough(admin: AdminRequest, name = `Client ${++tenantCounter}`): Promise<Tenant> {
  const client = await admin({ method: 'POST', url: '/api/admin/clients', payload: { name } });
  if (client.statusCode !== 201) throw new Error(`create client: ${client.statusCode} ${client.body}`);
  const { id: clientId, apiKey } = client.json() as { id: number; apiKey: string };
  const flow = await admin({ method: 'POST', url: `/api/admin/clients/${clientId}/callflows`, payload: { name: 'Flow' } });
  const cli = await admin({ method: 'POST', url: `/api/admin/clients/${clientId}/clis`, payload: { number: '020 7946 0000', label: 'Main' } });
  if (flow.statusCode !== 201 || cli.statusCode !== 201) throw new Error(`tenant setup: ${flow.body} ${cli.body}`);
  return {
    clientId,
    apiKey,
    callFlowId: (flow.json() as { id: number }).id,
    cliId: (cli.json() as { id: number }).id,
    headers: { authorization: `Bearer ${apiKey}` },
  };
}

/** Sends operator requests to `app` with the test operator token. */
export function adminOf(app: App): AdminRequest {
  return (options) => app.inject({ ...options, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(options.headers ?? {}) } });
}

export async function createTestApp(kind: BackendKind, env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase(kind);
  const clock = new ManualClock(TEST_NOW);
  const settings = loadSettings({ ADMIN_TOKEN, LOG_LEVEL: 'silent', ...env });
  const app = await buildApp({ settings, database: db.database, clock });
  const admin = adminOf(app);
  return {
    app,
    clock,
    db,
    admin,
    createTenant: (name?: string) => createTenantThrough(admin, name),
    // The database goes even when the app's close fails (a test that closed the database itself: the health probes'
    // "database closed" case left its PostgreSQL database behind after every run).
    async close() {
      try {
        await app.close();
      } finally {
        await db.dispose();
      }
    },
  };
}

/** The document's example request, verbatim (with its `//` comment line), with ids and dates substituted. */
export function documentExampleBody(options: { callflowId: number; cliId: number; startDate?: string; runoverDate?: string; name?: string }): string {
  return `{
	"name":"${options.name ?? 'Test Campaign'}",
	"startDate": "${options.startDate ?? '2027-10-01'}",
	"startTime":"09:00",
	"finishTime":"12:00",
	"runoverDays":[
		{
			"date":"${options.runoverDate ?? '2027-10-02'}",
			"startTime":"09:00",
			"finishTime":"12:00"
		}
	],
	"callflow_Id":${options.callflowId},
	"defaultCli_Id":${options.cliId},
	// This is not required, if left out will default to 1 attempt
	"attempts":[ 
		{"interval":0, "attemptNumber":1}, 
		{"interval":15, "attemptNumber":2},
		{"interval":30, "attemptNumber":3}
	],
	"answerMachineDetected":0,
	"smsOnBusy":1,
	"phoneNumbers":[
		{
			"number":"07722123456",
			"name":"ben",
			"parameters": [ 
				{"value":"testing", "parameter":1}
			]
		},
		{
			"number":"07722734716",
			"name":"Dave"
		}
	]
}`;
}

/** A minimal valid campaign body (object form) for tests to vary. */
export function validCampaign(tenant: Tenant, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Campaign ${Math.random().toString(36).slice(2, 10)}`,
    startDate: '2027-01-15',
    startTime: '09:00',
    finishTime: '17:00',
    callflow_Id: tenant.callFlowId,
    defaultCli_Id: tenant.cliId,
    answerMachineDetected: 0,
    smsOnBusy: 0,
    phoneNumbers: [{ number: '07722123456', name: 'Ben' }],
    ...overrides,
  };
}
