// External programs some tests talk to (espeak-ng, sipp, baresip, kamailio...). As with PostgreSQL in
// global-setup.ts: when one is missing its tests are SKIPPED with a visible notice, except under REQUIRE_PEERS=1
// (set by .ci/run, where every peer is installed), where a missing peer FAILS the run instead of shrinking it.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { describe, it } from 'vitest';

const peersRequired = () => process.env.REQUIRE_PEERS === '1';
const noticed = new Set<string>();

/** True when `binary` (a name looked up on PATH, or a path) is an executable file. */
export function peerAvailable(binary: string): boolean {
  const candidates = isAbsolute(binary) || binary.includes('/')
    ? [binary]
    : (process.env.PATH ?? '').split(delimiter).filter((dir) => dir.length > 0).map((dir) => join(dir, binary));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Whether the test may use `binary`: true when present; when absent, logs a notice (once per binary) and returns
 * false, or throws under REQUIRE_PEERS=1.
 */
export function requirePeer(binary: string): boolean {
  if (peerAvailable(binary)) return true;
  if (peersRequired()) throw new Error(`REQUIRE_PEERS=1 but "${binary}" is not on PATH: its tests cannot run.`);
  if (!noticed.has(binary)) {
    noticed.add(binary);
    console.warn(`\n[ringcast tests] NOTICE: "${binary}" is not on PATH, so the tests that need it are SKIPPED.\n`);
  }
  return false;
}

/**
 * describe() when every binary is present; otherwise describe.skip() with a notice, or, under REQUIRE_PEERS=1, a
 * block whose one test fails naming what is missing.
 */
export function describeWithPeer(binaries: readonly string[], title: string, fn: () => void): void {
  const missing = binaries.filter((binary) => !peerAvailable(binary));
  if (missing.length === 0) {
    describe(title, fn);
    return;
  }
  if (peersRequired()) {
    describe(title, () => {
      it(`needs ${missing.join(', ')}`, () => {
        const names = missing.map((b) => `"${b}"`).join(', ');
        throw new Error(`REQUIRE_PEERS=1 but ${names} ${missing.length === 1 ? 'is' : 'are'} not on PATH: these tests cannot run.`);
      });
    });
    return;
  }
  for (const binary of missing) requirePeer(binary);
  describe.skip(`${title} [SKIPPED: ${missing.join(', ')} not installed]`, fn);
}
