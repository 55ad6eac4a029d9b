// `npm start` path: a fresh data folder gets a demo client printed with its key; a restart prints the same one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/settings.js';
import { startServer, startupBanner } from '../src/server.js';
import { freePort } from './helpers/free-port.js';
import { portTaken } from './helpers/peer-process.js';
import { describeWithPeer } from './helpers/peers.js';

describe('startServer on embedded PGlite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringcast-server-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const settings = loadSettings({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
  const apiOnly = { api: true, dialer: false };

  it('creates the demo client on first start, serves the API with it, and shows the same key after a restart', async () => {
    const first = await startServer(settings, apiOnly);
    let firstKey: string;
    try {
      expect(first.demo).toBeDefined();
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
      expect(second.demo?.apiKey).toBe(firstKey);
      const clients = await second.app!.services.tenants.listClients();
      expect(clients).toHaveLength(1);
    } finally {
      await second.stop();
    }
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
});

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
    expect(() => loadSettings({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadSettings({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadSettings({ SIMULATED_MIX_JSON: '{"bsy": 3}' })).toThrow(/SIMULATED_MIX_JSON: unknown outcome "bsy"/);
    expect(() => loadSettings({ RATES_JSON: '{"MOBILE": -1}' })).toThrow(/RATES_JSON/);
    expect(() => loadSettings({ RING_TIMEOUT_S: '10' })).toThrow(/RING_TIMEOUT_S/);
    expect(loadSettings({ SIMULATED_MIX_JSON: '{"busy": 30}' }).SIMULATED_MIX_JSON).toBe('{"busy": 30}');
    expect(loadSettings({}).PORT).toBe(3000);
  });
});
