// `ringcast campaigns create` and `add-csv`: a campaign from its JSON create body (POST /api/campaigns/voice), or
// from its fields and a CSV of numbers (POST /api/campaigns/voice/csv, multipart: campaign, columns, file), and a
// CSV of numbers added to a campaign (POST /api/campaigns/voice/:id/phonenumbers/csv). Files are streamed from disk;
// a CSV upload shows a progress bar on stderr when it is a terminal.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Static } from '@sinclair/typebox';
import type { CreatedCampaignSchema } from '../api/schemas/campaigns.js';
import type { CsvAddedPhoneNumbersSchema, CsvCreatedCampaignSchema } from '../api/schemas/campaign-csv.js';
import { MalformedJsonError, parseJsonc } from '../api/jsonc.js';
import { type CommandContext, positiveInt, printResult, stringOption, type OptionValues } from './command-context.js';
import { multipartUpload, type FileProgress, type TextPart } from './multipart-upload.js';
import { formatUploadProgress, formatUploadSent, LiveLine } from './progress.js';
import { keyValues } from './text-output.js';
import { UsageError } from './usage-error.js';

const VOICE = '/api/campaigns/voice';
/** Left-out and merged entries listed on a terminal before "... and N more" (the JSON output has them all). */
const MAX_LISTED_ENTRIES = 10;
const count = (n: number) => n.toLocaleString('en-GB');

type Created = Static<typeof CreatedCampaignSchema>;
type CsvCreated = Static<typeof CsvCreatedCampaignSchema>;
type CsvAdded = Static<typeof CsvAddedPhoneNumbersSchema>;

function requiredOption(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** The size of a file the command line names; a missing or unreadable one is a usage error, before any request. */
async function fileSize(path: string, option: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    return info.size;
  } catch (error) {
    throw new UsageError(`${option} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The `columns` part from `--columns number=Phone,name=Name,parameter1=Amount` (or the JSON object itself, for
 * headers holding commas): the server checks the roles and headers.
 */
export function columnsPart(text: string | undefined): TextPart[] {
  if (text === undefined) return [];
  if (text.trimStart().startsWith('{')) return [{ name: 'columns', value: text }];
  const mapping: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--columns takes ROLE=HEADER pairs separated by commas, e.g. number=Phone,name=Name (got "${pair}")`);
    mapping[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return [{ name: 'columns', value: JSON.stringify(mapping) }];
}

/** The campaign part: the create body's fields from the file (JSON with comments, as the API takes), without phoneNumbers. */
async function campaignFields(path: string): Promise<string> {
  await fileSize(path, '--file');
  let body: unknown;
  try {
    body = parseJsonc(await readFile(path, 'utf8'));
  } catch (error) {
    if (error instanceof MalformedJsonError) throw new UsageError(`--file ${path} is not valid JSON: ${error.message}`);
    throw error;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new UsageError(`--file ${path} must hold a JSON object: the create body's fields`);
  }
  // The numbers are the CSV's rows; field names match case-insensitively on the server, so any spelling goes.
  const fields = Object.fromEntries(Object.entries(body).filter(([key]) => key.toLowerCase() !== 'phonenumbers'));
  return JSON.stringify(fields);
}

const ignoreInvalidQuery = (values: OptionValues) =>
  values['ignore-invalid'] === true ? new URLSearchParams({ ignoreInvalidPhoneNumbers: 'true' }) : undefined;

/** Sends the multipart upload of `textParts` and the CSV, drawing its progress on stderr. */
async function uploadCsv<T>(context: CommandContext, path: string, textParts: TextPart[]): Promise<{ text: string; value: T }> {
  const { api, io, nowMs, values } = context;
  const csv = requiredOption(values, 'csv');
  await fileSize(csv, '--csv');
  const line = new LiveLine(io.stderr, nowMs);
  const startedMs = nowMs();
  let last: { progress: FileProgress; elapsedMs: number } | undefined;
  const upload = await multipartUpload(textParts, { name: 'file', path: csv, contentType: 'text/csv' }, (progress) => {
    last = { progress: { ...progress }, elapsedMs: nowMs() - startedMs };
    const done = progress.bytes === progress.totalBytes;
    line.update(done ? formatUploadSent(progress, last.elapsedMs) : formatUploadProgress(progress, last.elapsedMs), done);
  });
  try {
    return await api.json<T>('POST', path, {
      query: ignoreInvalidQuery(values),
      body: upload.body,
      headers: { 'content-type': upload.contentType, 'content-length': String(upload.contentLength) },
    });
  } finally {
    // The rate stays the sending rate: the server's checking time is not the upload's.
    if (last) line.finish(formatUploadProgress(last.progress, last.elapsedMs));
  }
}

export async function createCommand(context: CommandContext): Promise<void> {
  const { api, io, values } = context;
  const file = requiredOption(values, 'file');
  if (stringOption(values, 'csv') === undefined) {
    if (values.columns !== undefined) throw new UsageError('--columns goes with --csv');
    const size = await fileSize(file, '--file');
    // The document's spelling of the option: POST /api/campaigns/voice/true.
    const path = values['ignore-invalid'] === true ? `${VOICE}/true` : VOICE;
    const { text, value } = await api.json<Created>('POST', path, {
      body: createReadStream(file),
      headers: { 'content-type': 'application/json', 'content-length': String(size) },
    });
    printResult(io, text, () => createdText(value, { numbersAdded: value.phoneNumbers.length }));
    return;
  }
  const campaign = await campaignFields(file);
  const parts: TextPart[] = [{ name: 'campaign', value: campaign }, ...columnsPart(stringOption(values, 'columns'))];
  const { text, value } = await uploadCsv<CsvCreated>(context, `${VOICE}/csv`, parts);
  printResult(io, text, () => createdText(value, value));
}

export async function addCsvCommand(context: CommandContext): Promise<void> {
  const id = positiveInt(context.positionals[0], 'the campaign id');
  const parts = columnsPart(stringOption(context.values, 'columns'));
  const { text, value } = await uploadCsv<CsvAdded>(context, `${VOICE}/${id}/phonenumbers/csv`, parts);
  printResult(context.io, text, () =>
    [
      keyValues([
        ['Campaign', String(id)],
        ['Rows read', count(value.rows)],
        ['Numbers added', count(value.added)],
        ['Already in it', count(value.alreadyInCampaign.length)],
        ['Columns', columnsText(value.columns)],
      ]),
      ...leftOutText(value),
    ].join('\n'),
  );
}

type EntryCounts = Pick<CsvCreated, 'invalidPhoneNumbers' | 'duplicatePhoneNumbers'> | Pick<Created, 'invalidPhoneNumbers' | 'duplicatePhoneNumbers'>;

function createdText(created: Created | CsvCreated, counts: { numbersAdded: number; rows?: number; columns?: CsvCreated['columns'] }): string {
  return [
    keyValues([
      ['Created campaign', `${created.id} "${created.name}"`],
      ['Starts', `${created.startDate} ${created.startTime}-${created.finishTime} (${created.timeZone})`],
      ['Run-over days', created.runoverDays.length > 0 ? created.runoverDays.map((d) => `${d.date} ${d.startTime}-${d.finishTime}`).join(', ') : undefined],
      ['Rows read', counts.rows === undefined ? undefined : count(counts.rows)],
      ['Numbers added', count(counts.numbersAdded)],
      ['Columns', counts.columns ? columnsText(counts.columns) : undefined],
      ['Calling hours', created.callingHoursTrimmed.length > 0 ? `trimmed on ${created.callingHoursTrimmed.length} day(s) (see the JSON)` : undefined],
    ]),
    ...leftOutText(created),
  ].join('\n');
}

function columnsText(columns: CsvCreated['columns']): string {
  return Object.entries(columns)
    .map(([role, header]) => `${role}=${header}`)
    .join(', ');
}

/** Invalid numbers left out and duplicates merged, a few of each (a CSV names its rows). */
function leftOutText(answer: EntryCounts): string[] {
  const where = (entry: { index: number; row?: number }) => (entry.row !== undefined ? `row ${entry.row}` : `entry ${entry.index}`);
  const lines: string[] = [];
  const list = <T>(title: string, entries: readonly T[], describe: (entry: T) => string) => {
    if (entries.length === 0) return;
    lines.push(`${title}: ${entries.length}`);
    for (const entry of entries.slice(0, MAX_LISTED_ENTRIES)) lines.push(`  ${describe(entry)}`);
    if (entries.length > MAX_LISTED_ENTRIES) lines.push(`  ... and ${entries.length - MAX_LISTED_ENTRIES} more`);
  };
  list('Left out (invalid)', answer.invalidPhoneNumbers as { index: number; row?: number; number: string; reasons: string[] }[], (e) =>
    `${where(e)} ${e.number}: ${e.reasons.join('; ')}`,
  );
  list('Duplicates merged', answer.duplicatePhoneNumbers as { index: number; row?: number; number: string; duplicateOfRow?: number; duplicateOfIndex: number }[], (e) =>
    `${where(e)} ${e.number} = ${e.duplicateOfRow !== undefined ? `row ${e.duplicateOfRow}` : `entry ${e.duplicateOfIndex}`}`,
  );
  return lines;
}
