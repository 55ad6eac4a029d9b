// The one table every benchmark prints (issue 10): figure, value, baseline measured in the same run, ratio, target,
// PASS/FAIL; and its JSON copy in bench/results/<name>.json, so figures can be compared between commits. A benchmark
// exits 0 whatever it measured: the table is the verdict.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';

export interface BenchRow {
  /** What was measured, with the backend where it matters: "PGlite: POST 100,000 numbers". */
  figure: string;
  value: number;
  baseline: number | null;
  /** Unit of value and baseline: 'ms', 'req/s', 'calls/s', 'MB'... */
  unit: string;
  /** What the baseline is, in a few words. */
  baselineLabel: string;
  /** value / baseline (null without a baseline). */
  ratio: number | null;
  /** The target as written in the issue: ">= 50% of baseline", "<= 2x". */
  target: string;
  pass: boolean;
  /** Anything the reader needs beside the figure (p99, runs, what was held). */
  note?: string;
}

export function ratioOf(value: number, baseline: number | null): number | null {
  return baseline === null || baseline === 0 ? null : value / baseline;
}

/** The median of several runs (the machines are shared and noisy, so one run is not a figure). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The p-th percentile (0-100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** How many times each figure is measured: BENCH_RUNS, else the benchmark's own default. */
export function benchRuns(fallback: number): number {
  const runs = Number(process.env.BENCH_RUNS ?? fallback);
  return Number.isInteger(runs) && runs > 0 ? runs : fallback;
}

const format = (value: number | null, unit: string) => {
  if (value === null || Number.isNaN(value)) return '-';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
};

/** Prints the table and writes bench/results/<name>.json. */
export function report(name: string, rows: readonly BenchRow[], context: Record<string, unknown> = {}): void {
  const header = ['figure', 'value', 'baseline', 'ratio', 'target', 'result'];
  const lines = rows.map((row) => [
    row.figure,
    format(row.value, row.unit),
    row.baseline === null ? '-' : `${format(row.baseline, row.unit)} (${row.baselineLabel})`,
    row.ratio === null ? '-' : `x${row.ratio.toFixed(2)}`,
    row.target,
    row.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const print = (cells: string[]) => console.log(cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  console.log(`\n${name}`);
  print(header);
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) print(line);
  for (const row of rows) if (row.note) console.log(`  ${row.figure}: ${row.note}`);
  const folder = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(folder, { recursive: true });
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  writeFileSync(`${folder}${name}.json`, `${JSON.stringify({ name, measuredAt: new Date().toISOString(), machine, ...context, rows }, null, 2)}\n`);
  console.log(`(written to bench/results/${name}.json)`);
}
