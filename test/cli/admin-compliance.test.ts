// `ringcast admin suppression|tps|ctps|compliance`: streamed imports with progress, lists, checks and settings.
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComplianceCommand } from '../../src/cli/admin-compliance.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { TenantRepository } from '../../src/store/repositories/tenants.js';
import { BACKENDS, createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/backends.js';
import { ukMobiles } from '../helpers/processes.js';

async function writeNumbers(file: string, numbers: string[]): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < numbers.length; i += 50_000) {
    if (!out.write(`${numbers.slice(i, i + 50_000).join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

describe.each(BACKENDS)('ringcast admin suppression and compliance on $kind', ({ kind }) => {
  let db: TestDatabase;
  let dir: string;
  let clientId: number;
  const progress: string[] = [];
  // Each command a minute after the last, as commands run by a person are.
  let minute = 0;
  const run = (...args: string[]) =>
    runComplianceCommand(args, db.database, () => new Date(Date.UTC(2026, 11, 3, 10, minute++)), { progress: (line) => progress.push(line) });
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), 'ringcast-dnc-'));
    clientId = (await new TenantRepository(db.database.db).createClient('Acme')).client.id;
  });
  afterAll(async () => {
    await db?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a client list from a CSV file, reports bad lines, lists and checks', async () => {
    const file = join(dir, 'dnc.csv');
    writeFileSync(file, 'number,name\n07722 100001,Ann\n"07722100002",Bob\nnonsense,Carl\n');
    const result = await run('suppression', 'add', '--client', String(clientId), '--reason', 'CRM', file);
    expect(result).toMatchObject({ lines: 4, changed: 2, invalid: 1, invalidLines: [{ line: 4, value: 'nonsense' }] });
    expect(progress.at(-1)).toMatch(/^done: 4 lines/);
    expect(await run('suppression', 'list', '--client', String(clientId))).toMatchObject({ kind: 'client', numberCount: 2, items: [{ number: '+447722100001', reason: 'CRM' }, { number: '+447722100002' }] });
    expect(await run('suppression', 'check', '--client', String(clientId), '07722 100002')).toMatchObject({ suppressed: true, lists: [{ kind: 'client' }] });
    expect(await run('suppression', 'check', '07722 100002')).toMatchObject({ suppressed: false });
    await expect(run('suppression', 'add', '--client', '999999', file)).rejects.toMatchObject({ status: 404 });
    await expect(run('suppression', 'add', join(dir, 'missing.csv'))).rejects.toBeInstanceOf(UsageError);
  });

  it('imports the TPS register with its date, replacing the previous file', async () => {
    const first = join(dir, 'tps1.txt');
    const second = join(dir, 'tps2.txt');
    await writeNumbers(first, ukMobiles(20_000, 700_000));
    await writeNumbers(second, ukMobiles(20_000, 710_000));
    await expect(run('tps', 'import', first)).rejects.toThrow(/--downloaded-at/);
    expect(await run('tps', 'import', '--downloaded-at', '2026-11-20', first)).toMatchObject({ lines: 20_000, changed: 20_000, removedByRefresh: 0 });
    expect(await run('tps', 'import', '--downloaded-at', '2026-11-30', second)).toMatchObject({ changed: 10_000, unchanged: 10_000, removedByRefresh: 10_000 });
    expect(await run('tps', 'list', '--page-size', '1')).toMatchObject({ kind: 'tps', numberCount: 20_000, downloadedAt: new Date('2026-11-30T00:00:00Z') });
  }, 60_000);

  it('adds a partial CTPS file with --keep-old, leaving the numbers it does not list', async () => {
    const full = join(dir, 'ctps-full.txt');
    const update = join(dir, 'ctps-update.txt');
    await writeNumbers(full, ukMobiles(1_000, 720_000));
    await writeNumbers(update, ukMobiles(1_000, 720_500));
    expect(await run('ctps', 'import', '--downloaded-at', '2026-11-20', full)).toMatchObject({ changed: 1_000, removedByRefresh: 0 });
    expect(await run('ctps', 'import', '--downloaded-at', '2026-11-27', '--keep-old', update)).toMatchObject({ changed: 500, unchanged: 500, removedByRefresh: 0 });
    expect(await run('ctps', 'list', '--page-size', '1')).toMatchObject({ kind: 'ctps', numberCount: 1_500, downloadedAt: new Date('2026-11-27T00:00:00Z') });
  });

  it('sets the calling hours and the machine rule', async () => {
    const profile = join(dir, 'hours.json');
    writeFileSync(profile, JSON.stringify({ weekdays: { saturday: [] } }));
    expect(await run('compliance', 'calling-hours', '--client', String(clientId), '--file', profile)).toMatchObject({ callingHoursIsDefault: false, callingHours: { weekdays: { saturday: [] } } });
    await expect(run('compliance', 'machine-rule', '--client', String(clientId), '--off')).rejects.toThrow(/--reason/);
    expect(await run('compliance', 'machine-rule', '--client', String(clientId), '--off', '--reason', 'Person guaranteed by contract')).toMatchObject({ machineRuleOffReason: 'Person guaranteed by contract' });
    expect(await run('compliance', 'show', '--client', String(clientId))).toMatchObject({ machineRule: { on: false } });
  });
});

describe.skipIf(!TEST_DATABASE_URL)('ringcast admin suppression at scale (PostgreSQL)', () => {
  it('streams a 1,000,000-number file into a list in constant memory, with progress', async () => {
    const db = await createTestDatabase('postgres');
    const dir = mkdtempSync(join(tmpdir(), 'ringcast-dnc-big-'));
    try {
      const file = join(dir, 'million.txt');
      await writeNumbers(file, ukMobiles(1_000_000, 1_000_000));
      const progress: string[] = [];
      const rssBefore = process.memoryUsage().rss;
      let peakRss = rssBefore;
      const result = await runComplianceCommand(['suppression', 'add', file], db.database, () => new Date(), {
        progress: (line) => {
          progress.push(line);
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
        },
      });
      expect(result).toMatchObject({ lines: 1_000_000, changed: 1_000_000, invalid: 0 });
      expect(progress.length).toBeGreaterThan(1);
      expect(progress.some((line) => /lines read: .* added/.test(line))).toBe(true);
      // The file is about 12 MB; a reader that held it whole would hold several times that in strings.
      expect(peakRss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.dispose();
    }
  }, 240_000);
});

describe('ringcast admin wiring', () => {
  it('routes suppression, tps, ctps and compliance to their commands and lists them in the usage', async () => {
    const { ADMIN_USAGE, runAdminCommand } = await import('../../src/cli/admin.js');
    expect(ADMIN_USAGE).toMatch(/suppression add/);
    expect(ADMIN_USAGE).toMatch(/tps {7}import --downloaded-at/);
    const { loadSettings } = await import('../../src/config/settings.js');
    const dir = mkdtempSync(join(tmpdir(), 'ringcast-admin-wiring-'));
    try {
      const settings = loadSettings({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
      expect(await runAdminCommand(['suppression', 'check', '07722 123456'], settings)).toEqual({ number: '+447722123456', suppressed: false, lists: [] });
      await expect(runAdminCommand(['tps', 'import', 'x.txt'], settings)).rejects.toBeInstanceOf(UsageError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
