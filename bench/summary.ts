// Prints the latest figures of every benchmark (bench/results/*.json, written by `npm run bench`) as one Markdown
// table, with the machine they ran on: the README's performance table is this output.
// Run: npx tsx bench/summary.ts
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './lib/report.js';

interface ResultFile {
  name: string;
  measuredAt: string;
  machine?: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  rows: BenchRow[];
}

const folder = fileURLToPath(new URL('./results/', import.meta.url));
const files = readdirSync(folder)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(`${folder}${file}`, 'utf8')) as Partial<ResultFile>)
  // Files from before the shared table (no machine, no unit) are left out rather than misread.
  .filter((file): file is ResultFile => Array.isArray(file.rows) && file.machine !== undefined && file.rows.every((row) => 'unit' in row));

const number = (value: number | null, unit: string) =>
  value === null ? '-' : `${value.toLocaleString('en-GB', { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 1 })} ${unit}`;
const machines = new Set(files.map((file) => `${file.machine!.cpus} × ${file.machine!.cpuModel}, ${file.machine!.memoryGiB} GiB, Node ${file.machine!.node}`));

console.log('| Benchmark | Figure | Value | Baseline (same run) | Ratio | Target | Result |');
console.log('|---|---|---|---|---|---|---|');
for (const file of files.sort((a, b) => a.name.localeCompare(b.name))) {
  for (const row of file.rows) {
    const baseline = row.baseline === null ? '-' : `${number(row.baseline, row.unit)} (${row.baselineLabel})`;
    console.log(`| ${file.name} | ${row.figure} | ${number(row.value, row.unit)} | ${baseline} | ${row.ratio === null ? '-' : `x${row.ratio.toFixed(2)}`} | ${row.target} | ${row.pass ? 'PASS' : '**FAIL**'} |`);
  }
}
console.log(`\nMeasured ${[...new Set(files.map((file) => file.measuredAt.slice(0, 10)))].sort().join(', ')} on ${[...machines].join('; ')}.`);
