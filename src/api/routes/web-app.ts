// The dashboard (issue 11): the static files Vite built from web/ into dist/web, served under /app by this same server,
// beside the JSON API it calls. Pages are addressed by the URL's hash, so /app/ (index.html) is the only page URL.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import { HttpProblem } from '../problem.js';

/** dist/web at the package's root, from src/api/routes (tsx) and from dist/api/routes (the build) alike. */
export const WEB_APP_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

export const webAppRoutes: FastifyPluginAsync<{ directory?: string }> = async (app, options) => {
  const directory = options.directory ?? WEB_APP_DIR;
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/app/'));
  if (!existsSync(`${directory}/index.html`)) {
    // A clone where the build has not run (npm start runs it): say how to get the app rather than a bare 404.
    const notBuilt = async () => {
      throw new HttpProblem(503, 'unavailable', 'The web app is not built on this server: run `npm run build:web` (npm start builds it when web/ changes).');
    };
    app.get('/app', { schema: { hide: true } }, notBuilt);
    app.get('/app/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root: directory,
    prefix: '/app/',
    // The asset names carry a content hash (Vite), so they may be kept for a year; index.html must always be fresh.
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
    schemaHide: true,
    // index.html is sent by the route below: the router ignores trailing slashes, so /app and /app/ are one route.
    index: false,
    wildcard: true,
  });
  // Its asset URLs are absolute (/app/assets/...), so /app without the slash works as well.
  app.get('/app/', { schema: { hide: true } }, async (_request, reply) => reply.sendFile('index.html'));
};
