// A migrated, empty PGlite cluster dumped once and reused by every test file, so each starts its database from a
// copy instead of running initdb (seconds per file). The file name carries a hash of the migrations, so a schema
// change makes a new template; it is written atomically, so concurrent runs can share it.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpPglite, migrationsFolder, openDatabase } from '../../src/store/database.js';

function migrationsHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(entry.name).update(readFileSync(path));
    }
  };
  walk(migrationsFolder);
  return hash.digest('hex').slice(0, 16);
}

export const PGLITE_TEMPLATE_PATH = join(tmpdir(), `ringcast-pglite-template-${migrationsHash()}.tar`);

export async function ensurePgliteTemplate(): Promise<void> {
  if (existsSync(PGLITE_TEMPLATE_PATH)) return;
  const database = await openDatabase({ dataDir: 'memory://' });
  try {
    await database.migrate();
    const temporary = `${PGLITE_TEMPLATE_PATH}.${process.pid}`;
    writeFileSync(temporary, Buffer.from(await (await dumpPglite(database)).arrayBuffer()));
    renameSync(temporary, PGLITE_TEMPLATE_PATH);
  } finally {
    await database.close();
  }
}
