// `ringcast campaigns ...`: a client's campaigns through a running server's API, with the client's API key. Unlike
// `ringcast admin` it opens no database, so it works against any server, local or remote, while it runs.
// Exit codes: 0 done, 1 the server answered an error (its problem printed) or could not be reached, 2 usage error.
import { open, rm } from 'node:fs/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SettingsSchema } from '../config/settings.js';
import { CampaignStatus } from '../domain/enums.js';
import { ApiClient, ApiProblem, ConnectionError, connectionError } from './api-client.js';
import { addCsvCommand, createCommand } from './campaign-uploads.js';
import { changedText, detailText, pageText, type CampaignDetail, type CampaignListItem, type CampaignPage } from './campaign-text.js';
import { type CampaignsIo, type CommandContext, positiveInt, printResult, stringOption } from './command-context.js';
import { formatWatchLine, LiveLine, type CampaignSummary } from './progress.js';
import { formatProblem, keyValues } from './text-output.js';
import { UsageError } from './usage-error.js';

export type { CampaignsIo } from './command-context.js';

const VOICE = '/api/campaigns/voice';
export const DEFAULT_URL = `http://127.0.0.1:${SettingsSchema.properties.PORT.default}`;
const DEFAULT_WATCH_INTERVAL_MS = 1000;
/** Statuses after which nothing changes: watch stops there. */
const FINAL_STATUSES: ReadonlySet<number> = new Set([CampaignStatus.Completed, CampaignStatus.Cancelled]);
const NEWLINE = 10;

interface Command {
  usage: string;
  options?: ParseArgsConfig['options'];
  /** Names of the positional arguments, all required. */
  args?: readonly string[];
  run(context: CommandContext): Promise<void>;
}

const campaignId = (context: CommandContext) => positiveInt(context.positionals[0], 'the campaign id');

async function listCommand({ api, io, values }: CommandContext): Promise<void> {
  const query = new URLSearchParams();
  if (values.page !== undefined) query.set('pageIndex', String(positiveInt(stringOption(values, 'page'), '--page')));
  if (values.size !== undefined) query.set('pageSize', String(positiveInt(stringOption(values, 'size'), '--size')));
  const sort = stringOption(values, 'sort');
  if (sort !== undefined) query.set('sortColumn', sort);
  const order = stringOption(values, 'order');
  if (order !== undefined) {
    if (!/^(asc|desc)$/i.test(order)) throw new UsageError(`--order must be asc or desc (got "${order}")`);
    query.set('sortOrder', order.toLowerCase());
  }
  // The /p filters by their query names (name, campaignStatus, startDateFrom...): the server checks them.
  for (const filter of (values.filter as string[] | undefined) ?? []) {
    const at = filter.indexOf('=');
    if (at < 1) throw new UsageError(`--filter takes NAME=VALUE, e.g. --filter campaignStatus=1,2 (got "${filter}")`);
    query.append(filter.slice(0, at), filter.slice(at + 1));
  }
  const { text, value } = await api.json<CampaignPage>('GET', `${VOICE}/p`, { query });
  printResult(io, text, () => pageText(value));
}

async function showCommand(context: CommandContext): Promise<void> {
  const { api, io } = context;
  const id = campaignId(context);
  // On a terminal the summary adds the numbers and calls (a server without it still shows the detail); the JSON
  // output is the detail alone, as the API answers it.
  const summary = !io.stdout.isTTY
    ? Promise.resolve(undefined)
    : api.json<CampaignSummary>('GET', `${VOICE}/${id}/summary`).then(
        (answer) => answer.value,
        (error: unknown) => {
          if (error instanceof ApiProblem && error.problem.status === 404) return undefined;
          throw error;
        },
      );
  const [detail, summaryValue] = await Promise.all([api.json<CampaignDetail>('GET', `${VOICE}/${id}`), summary]);
  printResult(io, detail.text, () => detailText(detail.value, summaryValue));
}

function lifecycleCommand(action: 'pause' | 'resume' | 'cancel', done: string): Command {
  return {
    usage: `${action} ID`,
    args: ['ID'],
    async run(context) {
      const { text, value } = await context.api.json<CampaignListItem>('POST', `${VOICE}/${campaignId(context)}/${action}`);
      printResult(context.io, text, () => changedText(done, value));
    },
  };
}

/**
 * Polls the summary until the campaign is Completed or Cancelled. On a terminal one line is rewritten in place;
 * otherwise each summary that changed (its `at` aside) is a JSON line.
 */
async function watchCommand(context: CommandContext): Promise<void> {
  const { api, io, values, nowMs } = context;
  const id = campaignId(context);
  const intervalText = stringOption(values, 'interval-ms');
  const intervalMs = intervalText === undefined ? DEFAULT_WATCH_INTERVAL_MS : positiveInt(intervalText, '--interval-ms');
  const line = new LiveLine(io.stdout, nowMs);
  let previous: string | undefined;
  try {
    for (;;) {
      const { value } = await api.json<CampaignSummary>('GET', `${VOICE}/${id}/summary`);
      if (io.stdout.isTTY) {
        line.update(formatWatchLine(value), true);
      } else {
        const { at: _readAt, ...counts } = value;
        const changed = JSON.stringify(counts);
        if (changed !== previous) io.stdout.write(`${JSON.stringify(value)}\n`);
        previous = changed;
      }
      if (FINAL_STATUSES.has(value.campaignStatus)) return;
      await sleep(intervalMs);
    }
  } finally {
    line.finish();
  }
}

/** Streams GET /:id/export to --output or stdout; the CSV is never held whole. */
async function exportCommand(context: CommandContext): Promise<void> {
  const { api, io, values } = context;
  const id = campaignId(context);
  const output = stringOption(values, 'output');
  // Opened first: a path that cannot be written is a usage error before anything is asked of the server.
  const file = output === undefined ? undefined : await open(output, 'w').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--output ${output}: ${error.code ?? error.message}`);
  });
  let bytes = 0;
  let lines = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) lines++;
      callback(null, chunk);
    },
  });
  try {
    const response = await api.send('GET', `${VOICE}/${id}/export`, { headers: { accept: 'text/csv, application/problem+json' } });
    const body = Readable.fromWeb(response.body! as WebReadableStream<Uint8Array>);
    try {
      // stdout stays open after the export: the process owns it.
      await (file ? pipeline(body, counter, file.createWriteStream()) : pipeline(body, counter, io.stdout, { end: false }));
    } catch (error) {
      throw connectionError(api.origin, error);
    }
  } catch (error) {
    // No half-written export left behind to be mistaken for a whole one.
    await file?.close().catch(() => undefined);
    if (output !== undefined) await rm(output, { force: true });
    throw error;
  }
  await file?.close().catch(() => undefined);
  if (output === undefined) return;
  const rows = Math.max(0, lines - 1);
  const json = JSON.stringify({ id, output, bytes, rows });
  printResult(io, json, () => keyValues([['Exported campaign', String(id)], ['To', output], ['Rows', rows.toLocaleString('en-GB')], ['Bytes', String(bytes)]]));
}

const COLUMNS_HELP = '[--columns number=Phone,name=Name,parameter1=Amount]';

const COMMANDS: Record<string, Command> = {
  list: {
    usage: 'list [--page N] [--size N] [--sort FIELD] [--order asc|desc] [--filter NAME=VALUE]...',
    options: { page: { type: 'string' }, size: { type: 'string' }, sort: { type: 'string' }, order: { type: 'string' }, filter: { type: 'string', multiple: true } },
    run: listCommand,
  },
  show: { usage: 'show ID', args: ['ID'], run: showCommand },
  create: {
    usage: `create --file CAMPAIGN.json [--csv NUMBERS.csv ${COLUMNS_HELP}] [--ignore-invalid]`,
    options: { file: { type: 'string' }, csv: { type: 'string' }, columns: { type: 'string' }, 'ignore-invalid': { type: 'boolean' } },
    run: createCommand,
  },
  'add-csv': {
    usage: `add-csv ID --csv NUMBERS.csv ${COLUMNS_HELP} [--ignore-invalid]`,
    options: { csv: { type: 'string' }, columns: { type: 'string' }, 'ignore-invalid': { type: 'boolean' } },
    args: ['ID'],
    run: addCsvCommand,
  },
  watch: { usage: 'watch ID [--interval-ms N]', options: { 'interval-ms': { type: 'string' } }, args: ['ID'], run: watchCommand },
  pause: lifecycleCommand('pause', 'paused'),
  resume: lifecycleCommand('resume', 'resumed'),
  cancel: lifecycleCommand('cancel', 'cancelled'),
  export: { usage: 'export ID [--output FILE.csv]', options: { output: { type: 'string', short: 'o' } }, args: ['ID'], run: exportCommand },
};

export const CAMPAIGNS_USAGE = `ringcast campaigns <command> [options]   (a client's campaigns, through a running server's API)

${Object.values(COMMANDS)
  .map((command) => `  ${command.usage}`)
  .join('\n')}

  --url URL   the server (env RINGCAST_URL; default ${DEFAULT_URL})
  --key KEY   the client's API key (env RINGCAST_API_KEY, better: a command line is visible to other users)

On a terminal the answers are shown as text; otherwise they are the API's JSON (watch: one JSON line per change).
create --file takes the JSON create body; with --csv its phoneNumbers are the CSV's rows instead.
Exit status: 0 done, 1 the server answered an error or could not be reached, 2 a usage error.`;

const GLOBAL_OPTIONS = { url: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** The command to run and its context, or undefined when help was asked for. */
function parseInvocation(args: readonly string[], io: CampaignsIo): { command: Command; context: CommandContext } | undefined {
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return undefined;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown campaigns command "${name}"`);
  let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ringcast campaigns ${command.usage}`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return undefined;
  const expected = command.args ?? [];
  if (positionals.length !== expected.length) {
    const what = positionals.length < expected.length ? `${expected.join(' ')} is missing` : `unexpected "${positionals.slice(expected.length).join(' ')}"`;
    throw new UsageError(`${what}\nusage: ringcast campaigns ${command.usage}`);
  }
  const urlText = stringOption(values, 'url') ?? io.env.RINGCAST_URL ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new UsageError(`--url "${urlText}" is not a URL (e.g. ${DEFAULT_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http:// or https:// (got "${urlText}")`);
  const key = (stringOption(values, 'key') ?? io.env.RINGCAST_API_KEY)?.trim();
  if (!key) {
    throw new UsageError('no API key: set RINGCAST_API_KEY (or pass --key KEY); the operator makes one with `ringcast admin apikeys create --client ID`');
  }
  const nowMs = io.nowMs ?? (() => performance.now());
  return { command, context: { api: new ApiClient(url, key, io.fetch), values, positionals, io, nowMs } };
}

/** Runs `ringcast campaigns <args>` and answers the exit status; only bugs throw. */
export async function runCampaignsCommand(args: readonly string[], io: CampaignsIo): Promise<number> {
  try {
    const invocation = parseInvocation(args, io);
    if (!invocation) {
      io.stdout.write(`${CAMPAIGNS_USAGE}\n`);
      return 0;
    }
    await invocation.command.run(invocation.context);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`ringcast: ${error.message}\n(ringcast campaigns --help lists the commands)\n`);
      return 2;
    }
    if (error instanceof ApiProblem) {
      // A script reading stdout gets the problem document itself; a person reads it on stderr either way.
      if (!io.stdout.isTTY) io.stdout.write(`${error.json}\n`);
      io.stderr.write(`${formatProblem(error.problem)}\n`);
      return 1;
    }
    if (error instanceof ConnectionError) {
      io.stderr.write(`ringcast: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
