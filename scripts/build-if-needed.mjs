// Builds dist/ with tsc when it is missing or older than any source file, so `npm start` and `npx ringcast` work on a
// fresh clone. Paths are relative to the package, not to the caller's working directory.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist/cli/main.js');

/** The folders whose files the web app's build depends on (the page also bundles the pure rules of src/domain and the
 * API's TypeBox schemas it imports), relative to the package root. */
export const WEB_APP_SOURCE_FOLDERS = ['web', 'src/domain', 'src/api/schemas'];

/**
 * The staleness rule, pure: a build is stale when it is missing (`builtMtimeMs` undefined) or older than the newest
 * source file. Equal times count as fresh (a build written in the same millisecond as its last source).
 */
export function isBuildStale(builtMtimeMs, newestSourceMtimeMs) {
  return builtMtimeMs === undefined || newestSourceMtimeMs > builtMtimeMs;
}

/** The newest mtime (ms) of any file under `dir`, recursively; 0 for a missing or empty folder. */
export function newestMtimeMs(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether the web app under `packageRoot` needs a build: dist/web/index.html against WEB_APP_SOURCE_FOLDERS. */
export function webAppBuildIsStale(packageRoot) {
  const builtPage = join(packageRoot, 'dist/web/index.html');
  const newestSource = Math.max(...WEB_APP_SOURCE_FOLDERS.map((folder) => newestMtimeMs(join(packageRoot, folder))));
  return isBuildStale(existsSync(builtPage) ? statSync(builtPage).mtimeMs : undefined, newestSource);
}

export function buildIfNeeded() {
  const sources = join(root, 'src');
  if (!existsSync(sources)) return; // an installed package ships dist/ only
  if (isBuildStale(existsSync(stamp) ? statSync(stamp).mtimeMs : undefined, newestMtimeMs(sources))) {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    if (!existsSync(tsc)) throw new Error('dist/ is missing or stale and TypeScript is not installed: run npm install');
    console.error('ringcast: building dist/ (tsc)...');
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  }
  buildWebAppIfNeeded();
}

/**
 * The dashboard (web/, issue 11) is built by Vite into dist/web when that is missing or older than its sources
 * (webAppBuildIsStale). Without Vite (installed with --omit=dev) the API runs and /app says how to build it.
 */
export function buildWebAppIfNeeded() {
  const web = join(root, 'web');
  if (!existsSync(web)) return;
  if (!webAppBuildIsStale(root)) return;
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) {
    console.error('ringcast: the web app is not built and Vite is not installed (npm install); /app will say so');
    return;
  }
  console.error('ringcast: building the web app (vite)...');
  // A production build whoever runs it: under a test runner NODE_ENV=test would give the development JSX runtime.
  execFileSync(process.execPath, [vite, 'build', '--config', join(web, 'vite.config.ts')], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) buildIfNeeded();
