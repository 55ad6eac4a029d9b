// PGlite is one PostgreSQL in this process's memory, writing DATA_DIR: a second process opening the same folder
// would corrupt it. A pid file marks the folder as taken while a process has it open.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirBusyError extends Error {
  override readonly name = 'DataDirBusyError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes DATA_DIR for this process; returns a release function. Throws DataDirBusyError if a live process has it. */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'ringcast.pid');
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new DataDirBusyError(
        `${dataDir} is in use by process ${pid}. PGlite allows one process per data folder: stop it, use the HTTP ` +
          'operator API (/api/admin) instead, or run on PostgreSQL (DATABASE_URL).',
      );
    }
  }
  writeFileSync(path, String(process.pid));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    rmSync(path, { force: true });
  };
}
