// Opens and migrates the database the settings name, taking the PGlite data folder lock when embedded.
import type { Settings } from '../config/settings.js';
import { openDatabase, type Database } from './database.js';
import { lockDataDir } from './data-dir-lock.js';
import { mkdirSync } from 'node:fs';

export async function openConfiguredDatabase(settings: Settings): Promise<Database> {
  if (settings.DATABASE_URL) {
    const database = await openDatabase({ databaseUrl: settings.DATABASE_URL });
    await database.migrate();
    return database;
  }
  mkdirSync(settings.DATA_DIR, { recursive: true });
  const release = lockDataDir(settings.DATA_DIR);
  try {
    const database = await openDatabase({ dataDir: settings.DATA_DIR });
    await database.migrate();
    return {
      ...database,
      async close() {
        try {
          await database.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
