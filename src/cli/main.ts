// The `ringcast` command. Subcommands: serve, api, dialer, demo, migrate, admin, campaigns, help.
import { loadSettings, SettingsError, SettingsSchema } from '../config/settings.js';
import { parseArgs } from 'node:util';
import { startServer, startupBanner, type Roles } from '../server.js';
import { formatDemoSummary, runDemo } from '../demo/run-demo.js';
import { openConfiguredDatabase } from '../store/open-from-settings.js';
import { DataDirBusyError } from '../store/data-dir-lock.js';
import { HttpProblem } from '../api/problem.js';
import { ADMIN_USAGE, runAdminCommand, UsageError } from './admin.js';
import { isForeignKeyViolation } from '../store/errors.js';
import { runCampaignsCommand } from './campaigns.js';

const USAGE = `Usage: ringcast <command>

Commands:
  serve      Start the HTTP API and the dialer (npm start)
  api        Start the HTTP API only
  dialer     Start a dialer only (run several against one PostgreSQL)
  demo       Run a two-day demo campaign in virtual time and print a summary
             [--numbers N (default 300)] [--seed S (default 7)]
  migrate    Apply database migrations and exit
  admin      Manage clients, API keys, call flows and caller IDs (ringcast admin --help)
  campaigns  A client's campaigns through a running server: list, show, create (JSON or CSV), watch,
             pause, resume, cancel, export (ringcast campaigns --help)
  help       Show this help

Settings (environment variables):
${Object.entries(SettingsSchema.properties)
  .map(([name, schema]) => `  ${name.padEnd(14)} ${(schema as { description?: string }).description ?? ''}`)
  .join('\n')}`;

async function serve(roles: Roles): Promise<void> {
  const settings = loadSettings();
  const server = await startServer(settings, roles);
  process.stdout.write(startupBanner(server, settings));
  let stopping = false;
  // SIGTERM: /readyz turns 503 at once and the dialer stops claiming numbers; calls in progress finish
  // (DRAIN_TIMEOUT_S) and are recorded while the API still answers, then it closes and the process exits (server.ts
  // stop). A second signal does not cut this short: the leases would outlive the process.
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`ringcast: ${signal} received, draining calls in progress (at most ${settings.DRAIN_TIMEOUT_S} s)`);
    server.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve({ api: true, dialer: true });
      return -1; // keeps running
    case 'api':
      await serve({ api: true, dialer: false });
      return -1;
    case 'dialer':
      await serve({ api: false, dialer: true });
      return -1;
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { numbers: { type: 'string' }, seed: { type: 'string' } } });
      const numbers = Number(values.numbers ?? 300);
      const seed = Number(values.seed ?? 7);
      if (!Number.isInteger(numbers) || numbers < 10 || numbers > 100_000) throw new UsageError('--numbers must be 10..100000');
      if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
      console.log(`Running a two-day campaign of ${numbers} numbers in virtual time (simulated carrier, seed ${seed})...`);
      console.log(formatDemoSummary(await runDemo({ numbers, seed })));
      return 0;
    }
    case 'migrate': {
      const database = await openConfiguredDatabase(loadSettings());
      await database.close();
      console.log(`migrations applied (${database.kind})`);
      return 0;
    }
    case 'admin': {
      if (rest.length === 0 || rest[0] === '--help' || rest[0] === 'help') {
        console.log(ADMIN_USAGE);
        return 0;
      }
      const result = await runAdminCommand(rest, loadSettings());
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    case 'campaigns':
      return runCampaignsCommand(rest, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof SettingsError || error instanceof UsageError || error instanceof DataDirBusyError) {
      console.error(`ringcast: ${error.message}`);
      process.exit(2);
    }
    if (error instanceof HttpProblem) {
      console.error(JSON.stringify({ status: error.status, detail: error.detail, errors: error.errors }, null, 2));
      process.exit(1);
    }
    if (isForeignKeyViolation(error)) {
      console.error('ringcast: it is used by a campaign and cannot be deleted');
      process.exit(1);
    }
    if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
      console.error(`ringcast: ${(error as Error).message}; set PORT to a free port`);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
