// `ringcast admin suppression|tps|ctps|compliance ...` (issue 9): do-not-call lists, the TPS/CTPS registers and a
// client's compliance settings from the shell. Files are read as a stream, a batch at a time, with progress on
// stderr, so a register of tens of millions of numbers imports in constant memory.
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Database } from '../store/database.js';
import { HttpProblem } from '../api/problem.js';
import { SuppressionRepository, type ListRef } from '../store/repositories/suppression.js';
import { ComplianceRepository } from '../store/repositories/compliance.js';
import { importSuppressionLines, type ImportProgress } from '../tenancy/suppression-import.js';
import { checkCalleeNumber } from '../domain/phone-number.js';
import { DEFAULT_CALLING_HOURS, readCallingHours } from '../domain/compliance/calling-hours.js';
import { UsageError } from './usage-error.js';

export const COMPLIANCE_RESOURCES = ['suppression', 'tps', 'ctps', 'compliance'] as const;

export const COMPLIANCE_USAGE = `  suppression add [--client ID] [--reason TEXT] FILE    (a number per line, or CSV with the number first; - reads stdin)
            remove [--client ID] FILE | list [--client ID] [--page N] [--page-size N] | check [--client ID] NUMBER
            (without --client: the operator's list, which applies to every client)
  tps       import --downloaded-at YYYY-MM-DD [--keep-old] FILE   (the whole register; --keep-old adds without removing)
            list [--page N] [--page-size N]
  ctps      (as tps)
  compliance show --client ID
            calling-hours --client ID (--file PROFILE.json | --default)
            machine-rule --client ID (--on | --off --reason TEXT)`;

export interface ComplianceCommandIo {
  /** Progress lines (stderr in the CLI). */
  progress(line: string): void;
  /** Lines of stdin, for FILE '-' (opened only then). */
  stdin?: () => AsyncIterable<string>;
}

const positiveInt = (value: string | undefined, what: string, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new UsageError(`${what} must be a positive whole number`);
  return Number(value);
};

const formatCount = (n: number) => n.toLocaleString('en-GB');

export async function runComplianceCommand(args: string[], database: Database, now: () => Date, io: ComplianceCommandIo): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      client: { type: 'string' },
      reason: { type: 'string' },
      page: { type: 'string' },
      'page-size': { type: 'string' },
      'downloaded-at': { type: 'string' },
      'keep-old': { type: 'boolean' },
      file: { type: 'string' },
      default: { type: 'boolean' },
      on: { type: 'boolean' },
      off: { type: 'boolean' },
    },
  });
  const [resource, action, argument] = positionals;
  const suppression = new SuppressionRepository(database.db);
  const compliance = new ComplianceRepository(database.db);
  const clientId = values.client === undefined ? undefined : positiveInt(values.client, '--client', 0);
  const requireClient = async (id: number | undefined): Promise<number> => {
    if (id === undefined) throw new UsageError('--client is required');
    if (!(await compliance.clientSettings(id))) throw new HttpProblem(404, 'not-found', `Client ${id} does not exist.`);
    return id;
  };
  const listRef = async (): Promise<ListRef> => {
    if (resource === 'tps' || resource === 'ctps') return { kind: resource };
    return clientId === undefined ? { kind: 'operator' } : { kind: 'client', clientId: await requireClient(clientId) };
  };
  const lines = (file: string | undefined): AsyncIterable<string> => {
    if (file === undefined) throw new UsageError(`${resource} ${action} needs the FILE to read (- for stdin)`);
    if (file === '-') {
      if (!io.stdin) throw new UsageError('no standard input');
      return io.stdin();
    }
    const stream = createReadStream(file);
    stream.on('error', () => {}); // reported by the readline iteration below
    return createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  };
  const startedAtMs = Date.now();
  let lastReportMs = 0;
  const report = (verb: string) => (p: ImportProgress) => {
    if (Date.now() - lastReportMs < 500) return;
    lastReportMs = Date.now();
    io.progress(
      `${formatCount(p.lines)} lines read: ${formatCount(p.changed)} ${verb}, ${formatCount(p.unchanged)} unchanged, ${formatCount(p.invalid)} invalid (${((Date.now() - startedAtMs) / 1000).toFixed(0)} s)`,
    );
  };
  const importFile = async (mode: 'add' | 'remove', register: boolean) => {
    const ref = await listRef();
    const at = now();
    const downloaded = values['downloaded-at'];
    if (register && (downloaded === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(downloaded) || Number.isNaN(Date.parse(`${downloaded}T00:00:00Z`)))) {
      throw new UsageError('--downloaded-at YYYY-MM-DD is required: the date the register file was downloaded');
    }
    const refresh = register && values['keep-old'] !== true;
    let result;
    try {
      result = await importSuppressionLines(lines(argument), {
        repository: suppression,
        list: ref,
        mode,
        source: register ? 'import' : 'upload',
        reason: values.reason ?? null,
        now: at,
        refresh,
        onProgress: report(mode === 'add' ? 'added' : 'removed'),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code) throw new UsageError(`${argument}: ${(error as Error).message}`);
      throw error;
    }
    // Reported for every register import, 0 with --keep-old, as the HTTP API does.
    const removedByRefresh = refresh ? await suppression.finishRefresh(ref, at) : register ? 0 : undefined;
    if (register) await suppression.setDownloadedAt(ref, new Date(`${downloaded}T00:00:00Z`));
    io.progress(`done: ${formatCount(result.lines)} lines in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s`);
    return { ...result, ...(removedByRefresh !== undefined ? { removedByRefresh } : {}) };
  };
  const page = async () => {
    const ref = await listRef();
    const pageSize = positiveInt(values['page-size'], '--page-size', 100);
    const pageIndex = positiveInt(values.page, '--page', 1);
    const info = await suppression.info(ref);
    const found = await suppression.page(ref, Math.min(pageSize, 1000), pageIndex);
    return { kind: ref.kind, numberCount: info.numberCount, downloadedAt: info.downloadedAt, pageIndex, items: found.items };
  };

  switch (`${resource} ${action}`) {
    case 'suppression add':
      return importFile('add', false);
    case 'suppression remove':
      return importFile('remove', false);
    case 'suppression list':
    case 'tps list':
    case 'ctps list':
      return page();
    case 'suppression check': {
      const check = checkCalleeNumber(argument ?? '');
      if (!check.ok) throw new UsageError(`${argument ?? '(no number)'}: ${check.message}`);
      const refs: ListRef[] = [{ kind: 'operator' }, { kind: 'tps' }, { kind: 'ctps' }];
      if (clientId !== undefined) refs.unshift({ kind: 'client', clientId: await requireClient(clientId) });
      const lists = (await suppression.lookup(refs, [check.number.e164])).get(check.number.e164) ?? [];
      return { number: check.number.e164, suppressed: lists.length > 0, lists };
    }
    case 'tps import':
    case 'ctps import':
      return importFile('add', true);
    case 'compliance show': {
      const settings = (await compliance.clientSettings(await requireClient(clientId)))!;
      return { ...settings, machineRule: { on: settings.machineRuleOffReason === null, offReason: settings.machineRuleOffReason } };
    }
    case 'compliance calling-hours': {
      const id = await requireClient(clientId);
      if (values.default) {
        await compliance.setCallingHours(id, null);
      } else {
        if (values.file === undefined) throw new UsageError('compliance calling-hours needs --file PROFILE.json or --default');
        let input: unknown;
        try {
          input = JSON.parse(readFileSync(values.file, 'utf8'));
        } catch (error) {
          throw new UsageError(`--file ${values.file}: ${(error as Error).message}`);
        }
        const read = readCallingHours(input, DEFAULT_CALLING_HOURS, 'callingHours');
        if (!read.ok) throw new HttpProblem(400, 'validation', 'The calling-hours profile is not valid.', read.errors);
        await compliance.setCallingHours(id, read.profile);
      }
      return compliance.clientSettings(id);
    }
    case 'compliance machine-rule': {
      const id = await requireClient(clientId);
      if (values.on === values.off) throw new UsageError('compliance machine-rule needs --on or --off');
      if (values.off && (values.reason ?? '').trim().length < 10) {
        throw new UsageError('--off needs --reason TEXT (10+ characters): why the 24-hour rule is switched off for this client');
      }
      await compliance.setMachineRuleOffReason(id, values.on ? null : values.reason!.trim());
      return compliance.clientSettings(id);
    }
    default:
      throw new UsageError(`unknown command: ${resource} ${action ?? ''}\n${COMPLIANCE_USAGE}`);
  }
}
