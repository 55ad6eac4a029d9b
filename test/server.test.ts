// `npm start` path: a fresh data folder gets a demo client printed with a key made at this start; nothing is written
// to disk, so a server on PostgreSQL needs no data folder.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoClientWanted, loadSettings, mediaWorkerCount } from '../src/config/settings.js';
import { startServer, startupBanner } from '../src/server.js';
import { freePort } from './helpers/free-port.js';
import { portTaken } from './helpers/peer-process.js';
import { describeWithPeer } from './helpers/peers.js';
import { createTestDatabase, TEST_DATABASE_URL } from './helpers/backends.js';
import { ADMIN_TOKEN } from './helpers/app.js';

const apiOnly = { api: true, dialer: false };

describe('startServer on embedded PGlite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-server-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const settings = loadSettings({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });

  it('creates the demo client on first start and serves the API with its key; a restart prints a new key and the old one still works', async () => {
    const first = await startServer(settings, apiOnly);
    let firstKey: string;
    try {
      expect(first.demo).toMatchObject({ created: true });
      firstKey = first.demo!.apiKey;
      const banner = startupBanner(first, settings);
      expect(banner).toContain(first.url);
      expect(banner).toContain(firstKey);
      expect(banner).toContain(`${first.url}/docs`);
      const response = await fetch(`${first.url}/api/clis`, { headers: { authorization: `Bearer ${firstKey}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject([{ id: first.demo!.cliId, number: '+442079460999' }]);
      const docs = await fetch(`${first.url}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('Swagger UI');
    } finally {
      await first.stop();
    }
    const second = await startServer(settings, apiOnly);
    try {
      expect(second.demo).toMatchObject({ created: false, clientId: 1, callFlowId: 1, cliId: 1 });
      expect(second.demo!.apiKey).not.toBe(firstKey);
      for (const key of [firstKey, second.demo!.apiKey]) {
        expect((await fetch(`${second.url}/api/callflows`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      }
      expect(await second.app!.services.tenants.listClients()).toHaveLength(1);
    } finally {
      await second.stop();
    }
    // The keys were shown, never stored: no file in the data folder holds either of them.
    expect(existsSync(join(dataDir, 'demo-client.json'))).toBe(false);
    expect(filesContaining(dataDir, firstKey)).toEqual([]);
  });

  it('does not create a demo client when DEMO_CLIENT=false', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'ringcast-server-'));
    const server = await startServer(loadSettings({ DATA_DIR: otherDir, PORT: '0', LOG_LEVEL: 'silent', DEMO_CLIENT: 'false' }), apiOnly);
    try {
      expect(server.demo).toBeUndefined();
      expect(await server.app!.services.tenants.listClients()).toHaveLength(0);
    } finally {
      await server.stop();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('has no demo client by default when ADMIN_TOKEN is set (a real deployment), unless DEMO_CLIENT=true asks for one', async () => {
    expect(demoClientWanted(loadSettings({}))).toBe(true);
    expect(demoClientWanted(loadSettings({ ADMIN_TOKEN }))).toBe(false);
    expect(demoClientWanted(loadSettings({ ADMIN_TOKEN, DEMO_CLIENT: 'true' }))).toBe(true);
    expect(demoClientWanted(loadSettings({ DEMO_CLIENT: 'false' }))).toBe(false);
    const otherDir = mkdtempSync(join(tmpdir(), 'ringcast-server-'));
    const server = await startServer(loadSettings({ DATA_DIR: otherDir, PORT: '0', LOG_LEVEL: 'silent', ADMIN_TOKEN }), apiOnly);
    try {
      expect(server.demo).toBeUndefined();
      expect(await server.app!.services.tenants.listClients()).toHaveLength(0);
      expect(startupBanner(server, loadSettings({ ADMIN_TOKEN }))).not.toContain('Demo client');
    } finally {
      await server.stop();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('removes the clear-text key file an older version left, and keeps its demo client', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'ringcast-server-'));
    const legacySettings = loadSettings({ DATA_DIR: otherDir, PORT: '0', LOG_LEVEL: 'silent', DEMO_CLIENT: 'false' });
    const setup = await startServer(legacySettings, apiOnly);
    const { client, apiKey } = await setup.app!.services.tenants.createClient('Demo client');
    await setup.stop();
    writeFileSync(join(otherDir, 'demo-client.json'), JSON.stringify({ clientId: client.id, apiKey, callFlowId: 1, cliId: 1 }));
    const server = await startServer({ ...legacySettings, DEMO_CLIENT: true }, apiOnly);
    try {
      expect(existsSync(join(otherDir, 'demo-client.json'))).toBe(false);
      expect(server.demo).toMatchObject({ clientId: client.id, created: false });
      expect(server.demo!.apiKey).not.toBe(apiKey);
      expect(await server.app!.services.tenants.listClients()).toHaveLength(1);
    } finally {
      await server.stop();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)('startServer on PostgreSQL', () => {
  it('starts from a folder with no data/ (DEMO_CLIENT at its default), makes the demo client, and writes nothing there', async () => {
    const testDb = await createTestDatabase('postgres');
    const folder = mkdtempSync(join(tmpdir(), 'ringcast-fresh-clone-'));
    const dataDir = join(folder, 'data');
    try {
      const settings = loadSettings({ DATABASE_URL: testDb.url!, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
      const server = await startServer(settings, { api: true, dialer: true });
      try {
        expect(server.database.kind).toBe('postgres');
        expect(server.demo).toMatchObject({ created: true });
        const response = await fetch(`${server.url}/api/callflows/${server.demo!.callFlowId}`, {
          headers: { authorization: `Bearer ${server.demo!.apiKey}` },
        });
        expect(response.status).toBe(200);
        expect(startupBanner(server, settings)).toContain(server.demo!.apiKey);
      } finally {
        await server.stop();
      }
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await testDb.dispose();
    }
  });
});

/** Files under `dir` whose bytes contain `text`. */
function filesContaining(dir: string, text: string): string[] {
  const needle = Buffer.from(text);
  const found: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (readFileSync(path).includes(needle)) found.push(path);
  }
  return found;
}

describeWithPeer(['espeak-ng'], 'startServer with CARRIER=sip', () => {
  it('starts the SIP carrier on SIP_ADDRESS:SIP_PORT, names the trunk in the banner, and frees the port on stop', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-server-sip-'));
    const sipPort = await freePort();
    const settings = loadSettings({
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      CARRIER: 'sip',
      SIP_TRUNK_HOST: '127.0.0.1',
      SIP_TRUNK_PORT: '5070',
      SIP_PORT: String(sipPort),
    });
    const server = await startServer(settings);
    try {
      expect(startupBanner(server, settings)).toContain(`carrier sip (trunk udp:127.0.0.1:5070, local 127.0.0.1:${sipPort})`);
      expect(await portTaken(sipPort, 'udp')).toBe(true);
      expect(await portTaken(sipPort, 'tcp')).toBe(true);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(await portTaken(sipPort, 'udp')).toBe(false);
  });
});

describe('settings', () => {
  it('reject a bad value with a message naming the variable', () => {
    expect(() => loadSettings({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    // A setting that is one of a few words lists them.
    expect(() => loadSettings({ CARRIER: 'foo', SMS_PROVIDER: 'twilio' })).toThrow(
      /CARRIER="foo": must be one of simulated, sip\n.*SMS_PROVIDER="twilio": must be one of simulated, smpp, kannel/,
    );
    expect(() => loadSettings({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadSettings({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadSettings({ SIMULATED_MIX_JSON: '{"bsy": 3}' })).toThrow(/SIMULATED_MIX_JSON: unknown outcome "bsy"/);
    expect(() => loadSettings({ RATES_JSON: '{"MOBILE": -1}' })).toThrow(/RATES_JSON/);
    expect(() => loadSettings({ RING_TIMEOUT_S: '10' })).toThrow(/RING_TIMEOUT_S/);
    expect(loadSettings({ SIMULATED_MIX_JSON: '{"busy": 30}' }).SIMULATED_MIX_JSON).toBe('{"busy": 30}');
    expect(loadSettings({}).PORT).toBe(3000);
  });

  it('start one media worker per core (at most 8) unless MEDIA_WORKERS says how many', () => {
    expect(mediaWorkerCount(loadSettings({}), 2)).toBe(2);
    expect(mediaWorkerCount(loadSettings({}), 1)).toBe(1);
    expect(mediaWorkerCount(loadSettings({}), 32)).toBe(8);
    expect(mediaWorkerCount(loadSettings({ MEDIA_WORKERS: '3' }), 2)).toBe(3);
    expect(() => loadSettings({ MEDIA_WORKERS: '-1' })).toThrow(/MEDIA_WORKERS/);
  });
});
