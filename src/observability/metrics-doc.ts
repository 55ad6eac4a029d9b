// The README's list of Ringcast's own metrics, made from the registry itself (name, type, labels, help), so that
// test/observability/metrics-readme.test.ts fails when a figure is added or changed without the README following.
import { RingcastMetrics } from './metrics.js';

export function metricsTable(metrics = new RingcastMetrics({ defaultMetrics: false })): string {
  const rows = metrics.registry
    .getMetricsAsArray()
    .filter((metric) => metric.name.startsWith('ringcast_'))
    .map((metric) => {
      const labels = (metric as unknown as { labelNames: string[] }).labelNames;
      return `| \`${metric.name}\` | ${metric.type} | ${labels.length > 0 ? labels.map((label) => `\`${label}\``).join(', ') : '-'} | ${metric.help} |`;
    });
  return ['| metric | type | labels | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
