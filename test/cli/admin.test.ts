// `ringcast admin ...` runs the operator operations on the configured database and prints the API's JSON.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { MENU_FLOW_EXAMPLE } from '../../src/callflow/examples.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand, UsageError } from '../../src/cli/admin.js';
import { loadSettings, type Settings } from '../../src/config/settings.js';
import { HttpProblem } from '../../src/api/problem.js';
import { BACKENDS } from '../helpers/backends.js';
import { createTestDatabase, type TestDatabase } from '../helpers/backends.js';
import { lockDataDir } from '../../src/store/data-dir-lock.js';
import { playThenSayFlow, sineWav16 } from '../helpers/wav-builder.js';

describe.each(BACKENDS)('ringcast admin on $kind', ({ kind }) => {
  let settings: Settings;
  let dataDir: string;
  let pgDatabase: TestDatabase | undefined;
  const run = (...args: string[]) => runAdminCommand(args, settings);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ringcast-admin-'));
    if (kind === 'postgres') {
      pgDatabase = await createTestDatabase('postgres');
      settings = loadSettings({ DATABASE_URL: pgDatabase.url!, LOG_LEVEL: 'silent' });
    } else {
      settings = loadSettings({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    }
  });
  afterAll(async () => {
    await pgDatabase?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, lists, shows and deletes clients, keys, call flows and CLIs', async () => {
    const client = (await run('clients', 'create', '--name', 'Acme')) as { id: number; name: string; apiKey: string };
    expect(client).toMatchObject({ name: 'Acme' });
    expect(client.apiKey).toMatch(/^rc_/);
    const clientId = String(client.id);

    const key = (await run('apikeys', 'create', '--client', clientId)) as { id: number; apiKey: string };
    expect(key.apiKey).not.toBe(client.apiKey);
    const keys = (await run('apikeys', 'list', '--client', clientId)) as { keyPrefix: string }[];
    expect(keys).toHaveLength(2);
    expect(JSON.stringify(keys)).not.toContain(key.apiKey);
    expect(await run('apikeys', 'revoke', String(key.id))).toEqual({ deleted: true });

    const flow = (await run('callflows', 'create', '--client', clientId, '--name', 'Reminder', '--message', 'Hi {Name}')) as {
      id: number;
      message: string;
    };
    expect(flow.message).toBe('Hi {Name}');
    const cli = (await run('clis', 'create', '--client', clientId, '--number', '020 7946 0000', '--label', 'Main')) as {
      id: number;
      number: string;
    };
    expect(cli.number).toBe('+442079460000');
    expect(await run('clis', 'list', '--client', clientId)).toHaveLength(1);
    expect(await run('callflows', 'show', '--client', clientId, String(flow.id))).toMatchObject({ name: 'Reminder' });
    expect(await run('clis', 'delete', '--client', clientId, String(cli.id))).toEqual({ deleted: true });
    expect(await run('callflows', 'delete', '--client', clientId, String(flow.id))).toEqual({ deleted: true });
    expect(await run('clients', 'delete', clientId)).toEqual({ deleted: true });
    await expect(run('clients', 'show', clientId)).rejects.toMatchObject({ status: 404 });
  });

  it('creates a client allowed to call further countries and updates the list (--allow-countries)', async () => {
    const client = (await run('clients', 'create', '--name', 'Abroad', '--allow-countries', 'fr, IE,GB')) as { id: number; allowedCountries: string[] };
    expect(client.allowedCountries).toEqual(['FR', 'IE']);
    const id = String(client.id);
    expect(await run('clients', 'update', id, '--allow-countries', 'US')).toMatchObject({ id: client.id, name: 'Abroad', allowedCountries: ['US'] });
    expect(await run('clients', 'update', id, '--name', 'Abroad Ltd')).toMatchObject({ name: 'Abroad Ltd', allowedCountries: ['US'] });
    expect(await run('clients', 'update', id, '--allow-countries', '')).toMatchObject({ allowedCountries: [] });
    expect(await run('clients', 'show', id)).toMatchObject({ allowedCountries: [] });
    const error = await run('clients', 'update', id, '--allow-countries', 'FR,XX').catch((e) => e);
    expect(error).toBeInstanceOf(HttpProblem);
    expect(Object.keys((error as HttpProblem).errors ?? {})).toEqual(['AllowedCountries[1]']);
    await expect(run('clients', 'update', id)).rejects.toBeInstanceOf(UsageError);
    await expect(run('clients', 'update', '999999', '--allow-countries', 'FR')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a premium-rate caller ID and an unknown placeholder with the API validation errors', async () => {
    const client = (await run('clients', 'create', '--name', 'Beta')) as { id: number };
    const error = await run('clis', 'create', '--client', String(client.id), '--number', '09012345678').catch((e) => e);
    expect(error).toBeInstanceOf(HttpProblem);
    expect((error as HttpProblem).errors?.Number?.[0]).toMatch(/premium/);
    const flowError = await run('callflows', 'create', '--client', String(client.id), '--name', 'X', '--message', '{Foo}').catch((e) => e);
    expect((flowError as HttpProblem).errors?.Message?.[0]).toMatch(/\{Foo\}/);
  });

  it('creates a flow from a JSON file and saves an update as a new version', async () => {
    const client = (await run('clients', 'create', '--name', 'Flows Ltd')) as { id: number };
    const file = join(dataDir, 'menu.json');
    writeFileSync(file, JSON.stringify(MENU_FLOW_EXAMPLE));
    const flow = (await run('callflows', 'create', '--client', String(client.id), '--name', 'Menu', '--flow-file', file)) as {
      id: number;
      version: number;
      flow: { start: string };
    };
    expect(flow).toMatchObject({ version: 1, flow: { start: 'menu' } });
    const updated = await run('callflows', 'update', '--client', String(client.id), String(flow.id), '--name', 'Menu', '--message', 'Just this');
    expect(updated).toMatchObject({ version: 2, message: 'Just this' });
    expect(await run('callflows', 'versions', '--client', String(client.id), String(flow.id))).toHaveLength(2);
    writeFileSync(file, '{ not json');
    await expect(run('callflows', 'create', '--client', String(client.id), '--name', 'Bad', '--flow-file', file)).rejects.toBeInstanceOf(UsageError);
  });

  it('uploads, lists and deletes audio, and a flow can play it', async () => {
    const client = (await run('clients', 'create', '--name', 'Audio Ltd')) as { id: number };
    const clientId = String(client.id);
    const wavFile = join(dataDir, 'welcome.wav');
    writeFileSync(wavFile, sineWav16({ sampleRate: 16_000, channels: 1, frequencyHz: 400, durationMs: 1200 }));
    const uploaded = (await run('audio', 'upload', '--client', clientId, '--name', 'Welcome', wavFile)) as { id: number };
    expect(uploaded).toMatchObject({ clientId: client.id, name: 'Welcome', durationMs: 1200, sampleRate: 8000 });
    expect(await run('audio', 'list', '--client', clientId)).toEqual([uploaded]);

    const flowFile = join(dataDir, 'play-flow.json');
    writeFileSync(flowFile, JSON.stringify(playThenSayFlow(uploaded.id)));
    expect(await run('callflows', 'create', '--client', clientId, '--name', 'Plays', '--flow-file', flowFile)).toMatchObject({ name: 'Plays' });

    const badFile = join(dataDir, 'bad.wav');
    writeFileSync(badFile, 'not audio');
    const error = await run('audio', 'upload', '--client', clientId, '--name', 'Bad', badFile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpProblem);
    expect((error as HttpProblem).status).toBe(400);
    await expect(run('audio', 'upload', '--client', clientId, '--name', 'Ogg', join(dataDir, 'x.ogg'))).rejects.toBeInstanceOf(UsageError);
    await expect(run('audio', 'upload', '--client', clientId, '--name', 'Missing', join(dataDir, 'missing.wav'))).rejects.toBeInstanceOf(UsageError);

    expect(await run('audio', 'delete', '--client', clientId, String(uploaded.id))).toEqual({ deleted: true });
    expect(await run('audio', 'list', '--client', clientId)).toEqual([]);
  });

  it('answers bad usage with a usage error, not a crash', async () => {
    await expect(run('clients')).rejects.toBeInstanceOf(UsageError);
    await expect(run('widgets', 'list')).rejects.toBeInstanceOf(UsageError);
    await expect(run('clis', 'list', '--client', 'abc')).rejects.toBeInstanceOf(UsageError);
    await expect(run('clients', 'create')).rejects.toThrow(/--name is required/);
  });

  it.runIf(kind === 'pglite')('refuses a PGlite data folder that a running process holds', async () => {
    const release = lockDataDir(dataDir);
    try {
      // The lock is ours here; a live foreign pid is what matters, so fake one with the parent process.
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dataDir, 'ringcast.pid'), String(process.ppid));
      await expect(run('clients', 'list')).rejects.toThrow(/in use by process/);
    } finally {
      release();
    }
  });
});
