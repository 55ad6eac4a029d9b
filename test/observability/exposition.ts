// A small reader of the Prometheus text format (0.0.4) for the tests: HELP and TYPE per metric family, and every
// sample with its labels. It fails on any line that is neither, so a malformed exposition fails the test.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

// Values as Prometheus reads them (Go's ParseFloat: NaN in any case, prom-client writes "Nan"; +Inf, -Inf).
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ((?:-?[0-9.eE+-]+|[Nn][Aa][Nn]|[+-]Inf))(?: -?[0-9]+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Exposition {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2]!, meta[3]!);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (sample[2] ?? '').matchAll(LABEL)) labels[name!] = value!;
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { help, type, samples };
}

/** The sum of a metric's samples whose labels include `labels`. */
export function total(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return exposition.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);
}

/** The family a sample belongs to: its own name, or its histogram's or summary's (without _bucket, _count, _sum). */
export function familyOf(exposition: Exposition, sampleName: string): string | undefined {
  if (exposition.type.has(sampleName)) return sampleName;
  const base = /^(.*)_(bucket|count|sum)$/.exec(sampleName)?.[1];
  return base !== undefined && exposition.type.has(base) ? base : undefined;
}

/** A sample's series as Prometheus identifies it: the name and the sorted labels. */
export function seriesKey(sample: Sample): string {
  const labels = Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b));
  return `${sample.name}{${labels.map(([key, value]) => `${key}="${value}"`).join(',')}}`;
}

/**
 * The series Prometheus takes to only ever grow within a process's life (it reads a drop as a restart): counters, and
 * histograms' buckets, counts and sums (the observations here are durations, never negative).
 */
export function monotonicSeries(exposition: Exposition): Map<string, number> {
  const series = new Map<string, number>();
  for (const sample of exposition.samples) {
    const family = familyOf(exposition, sample.name);
    const type = family === undefined ? undefined : exposition.type.get(family);
    if (type === 'counter' || type === 'histogram') series.set(seriesKey(sample), sample.value);
  }
  return series;
}
