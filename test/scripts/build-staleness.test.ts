// The rule that decides when `npm start` rebuilds the web app (scripts/build-if-needed.mjs): the pure comparison, and
// the folders that count, checked on temporary package trees whose mtimes are set with utimes.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isBuildStale, newestMtimeMs, WEB_APP_SOURCE_FOLDERS, webAppBuildIsStale } from '../../scripts/build-if-needed.mjs';

describe('isBuildStale', () => {
  it('is stale without a build, fresh at an equal time, stale only when a source is newer', () => {
    expect(isBuildStale(undefined, 0)).toBe(true);
    expect(isBuildStale(5_000, 5_000)).toBe(false);
    expect(isBuildStale(5_000, 4_999)).toBe(false);
    expect(isBuildStale(5_000, 5_001)).toBe(true);
  });
});

describe('the web app staleness on a package tree', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  /** Writes a file under `root` and sets its mtime to `seconds` after the epoch. */
  const fileAt = (root: string, path: string, seconds: number) => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, path);
    utimesSync(full, seconds, seconds);
  };
  const packageTree = () => {
    const root = mkdtempSync(join(tmpdir(), 'ringcast-staleness-'));
    roots.push(root);
    fileAt(root, 'web/src/app.tsx', 1_000);
    fileAt(root, 'src/domain/enums.ts', 1_000);
    fileAt(root, 'src/api/schemas/campaigns.ts', 1_000);
    fileAt(root, 'src/api/routes/campaigns.ts', 1_000);
    fileAt(root, 'dist/web/index.html', 2_000);
    return root;
  };

  it('counts exactly web, src/domain and src/api/schemas', () => {
    expect([...WEB_APP_SOURCE_FOLDERS].sort()).toEqual(['src/api/schemas', 'src/domain', 'web']);
  });

  it('finds the newest file at any depth, and 0 for a missing folder', () => {
    const root = packageTree();
    fileAt(root, 'web/src/pages/deep/page.tsx', 1_500);
    expect(newestMtimeMs(join(root, 'web'))).toBe(1_500_000);
    expect(newestMtimeMs(join(root, 'no-such-folder'))).toBe(0);
  });

  it('is fresh when the build is newer than every source, and stale when the build is missing', () => {
    const root = packageTree();
    expect(webAppBuildIsStale(root)).toBe(false);
    rmSync(join(root, 'dist/web/index.html'));
    expect(webAppBuildIsStale(root)).toBe(true);
  });

  it.each(['web/src/pages/new.tsx', 'src/domain/compliance/rule.ts', 'src/api/schemas/flows.ts'])('is stale when %s is newer than the build', (path) => {
    const root = packageTree();
    fileAt(root, path, 2_001);
    expect(webAppBuildIsStale(root)).toBe(true);
  });

  it('ignores server code the page does not bundle (src/api/routes) and a source as old as the build', () => {
    const root = packageTree();
    fileAt(root, 'src/api/routes/campaigns.ts', 3_000);
    fileAt(root, 'web/src/app.tsx', 2_000);
    expect(webAppBuildIsStale(root)).toBe(false);
  });
});
