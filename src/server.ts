// Starts the HTTP API on the configured database and stops it cleanly on SIGINT/SIGTERM.
import type { Settings } from './config/settings.js';
import { buildApp, type App } from './app.js';
import { openConfiguredDatabase } from './store/open-from-settings.js';
import { ensureDemoClient, type DemoClient } from './tenancy/demo-client.js';
import type { Database } from './store/database.js';

export interface RunningServer {
  app: App;
  database: Database;
  url: string;
  demo: DemoClient | undefined;
  stop(): Promise<void>;
}

export async function startServer(settings: Settings): Promise<RunningServer> {
  const database = await openConfiguredDatabase(settings);
  let app: App | undefined;
  try {
    app = await buildApp({ settings, database });
    const demo = settings.DEMO_CLIENT ? await ensureDemoClient(app.services.tenants, settings.DATA_DIR) : undefined;
    await app.listen({ port: settings.PORT, host: settings.HOST });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : settings.PORT;
    const shownHost = settings.HOST === '0.0.0.0' || settings.HOST === '::' ? 'localhost' : settings.HOST;
    const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
    const running = app;
    return {
      app,
      database,
      url,
      demo,
      async stop() {
        await running.close();
        await database.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
}

/** What `ringcast serve` prints once it is listening. */
export function startupBanner(server: RunningServer, settings: Settings): string {
  const lines = [
    '',
    `Ringcast is listening on ${server.url}`,
    `  API docs (Swagger UI): ${server.url}/docs    OpenAPI: ${server.url}/openapi.json`,
    `  Database: ${server.database.kind === 'pglite' ? `embedded PGlite in ${settings.DATA_DIR}` : 'PostgreSQL (DATABASE_URL)'}`,
    `  Operator API (/api/admin): ${settings.ADMIN_TOKEN ? 'on (ADMIN_TOKEN)' : 'off - set ADMIN_TOKEN to enable it'}`,
  ];
  if (server.demo) {
    const { apiKey, clientId, callFlowId, cliId } = server.demo;
    lines.push(
      '',
      'Demo client',
      `  API key:     ${apiKey}`,
      `  client id:   ${clientId}    call flow id (callflow_Id): ${callFlowId}    CLI id (defaultCli_Id): ${cliId}`,
      `  try:         curl -H "Authorization: Bearer ${apiKey}" ${server.url}/api/campaigns/voice`,
    );
  }
  return `${lines.join('\n')}\n`;
}
