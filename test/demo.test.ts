// `ringcast demo`: a believable two-day campaign (a day plus a runover day, three attempts) through the real
// dialer and store in virtual time, finishing in seconds of wall time.
import { describe, expect, it } from 'vitest';
import { formatDemoSummary, runDemo } from '../src/demo/run-demo.js';

describe('ringcast demo', () => {
  it('runs a two-day campaign to completion and summarises its outcomes', async () => {
    const summary = await runDemo({ numbers: 300, seed: 7, startDate: '2027-03-10' });
    expect(summary.campaignStatus).toBe('Completed');
    expect(summary.numbers).toBe(300);
    // Retries mean more calls than numbers; every number ends with a final status.
    expect(summary.callsPlaced).toBeGreaterThan(300);
    expect(Object.values(summary.numberStatuses).reduce((a, b) => a + b, 0)).toBe(300);
    expect(summary.numberStatuses.Pending ?? 0).toBe(0);
    expect(summary.numberStatuses.Dialling ?? 0).toBe(0);
    for (const outcome of ['Answered', 'Busy', 'NoAnswer', 'AnsweringMachine']) expect(summary.outcomes[outcome]).toBeGreaterThan(0);
    // Calls start at the first window's opening and spill into the runover day.
    expect(summary.firstCallAt).toBe('Wed 10 Mar 09:00:00');
    expect(summary.lastCallAt).toMatch(/^Thu 11 Mar 1[01]:/);
    expect(summary.smsSent).toBeGreaterThan(0);
    expect(summary.totalPriceGbp).toBeGreaterThan(0);
    const printed = formatDemoSummary(summary);
    expect(printed).toContain('Completed');
    expect(printed).toContain('hours of virtual time');
  }, 120_000);
});
