import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/sip/', import.meta.url));

/** Captured-style SIP messages with CRLF line endings, by file name. */
export function loadSipFixtures(): Array<[name: string, bytes: Buffer]> {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => [f, readFileSync(join(FIXTURE_DIR, f))]);
}

export function loadSipFixture(name: string): Buffer {
  return readFileSync(join(FIXTURE_DIR, name));
}
