// The dashboard's files under /app (src/api/routes/web-app.ts): index.html for /app and /app/, hashed assets cached
// for a year, a missing file a 404 problem, and a clear 503 where the web app has not been built.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { webAppRoutes } from '../../src/api/routes/web-app.js';
import { installErrorHandling } from '../../src/api/http-errors.js';

const built = mkdtempSync(join(tmpdir(), 'ringcast-web-'));
mkdirSync(join(built, 'assets'));
writeFileSync(join(built, 'index.html'), '<!doctype html><title>Ringcast</title><script src="/app/assets/main-abc123.js"></script>');
writeFileSync(join(built, 'assets/main-abc123.js'), 'console.log("app")');
const empty = mkdtempSync(join(tmpdir(), 'ringcast-web-empty-'));
afterAll(() => {
  rmSync(built, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

async function appServing(directory: string) {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  installErrorHandling(app);
  await app.register(webAppRoutes, { directory });
  return app;
}

describe('web app files under /app', () => {
  it('serves index.html at /app and /app/, never cached, and / redirects to it', async () => {
    const app = await appServing(built);
    for (const url of ['/app', '/app/']) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<title>Ringcast</title>');
    }
    const root = await app.inject({ url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/app/');
    await app.close();
  });

  it('serves hashed assets with a year of caching, and a missing one as a 404 problem', async () => {
    const app = await appServing(built);
    const asset = await app.inject({ url: '/app/assets/main-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await app.inject({ url: '/app/assets/none.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const post = await app.inject({ method: 'POST', url: '/app/' });
    expect(post.statusCode).toBe(405);
    await app.close();
  });

  it('answers 503 with how to build it when the web app has not been built', async () => {
    const app = await appServing(empty);
    for (const url of ['/app', '/app/', '/app/assets/main.js']) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(503);
      expect(response.json().detail).toContain('npm run build:web');
    }
    await app.close();
  });
});
