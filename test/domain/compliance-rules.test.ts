// Ofcom's persistent misuse rules as pure functions: the abandoned-call rate and what it triggers, and the repeat-call
// embargoes after an abandoned call or an answering machine.
import { describe, expect, it } from 'vitest';
import { abandonedRate, abandonedRateAction, DEFAULT_ABANDONED_RATE_SETTINGS } from '../../src/domain/compliance/abandoned-rate.js';
import { repeatEmbargo } from '../../src/domain/compliance/repeat-calls.js';
import { CallOutcome } from '../../src/domain/enums.js';

describe('abandoned-call rate (Ofcom formula)', () => {
  it('counts estimated AMD false positives on both sides of the fraction', () => {
    // 970 live, 20 abandoned, 1,000 machine verdicts at 1% -> 10 false positives: (20 + 10) / (970 + 20 + 10) = 3%.
    const rate = abandonedRate({ live: 970, abandoned: 20, machine: 1000 }, { amdFalsePositiveRate: 0.01 });
    expect(rate).toEqual({ rate: 0.03, estimatedFalsePositives: 10, denominator: 1000 });
    expect(abandonedRate({ live: 0, abandoned: 0, machine: 0 }, { amdFalsePositiveRate: 0.01 }).rate).toBe(0);
  });

  it('runs normally below the limit, slows at it, pauses when it keeps rising with enough calls', () => {
    const at = (live: number, abandoned: number) => abandonedRateAction(abandonedRate({ live, abandoned, machine: 0 }, { amdFalsePositiveRate: 0 }), DEFAULT_ABANDONED_RATE_SETTINGS);
    expect(at(98, 2)).toEqual({ kind: 'normal' });
    expect(at(97, 3)).toMatchObject({ kind: 'slow', pacingFactor: 0.5, reason: expect.stringContaining('3.0%') });
    expect(at(95, 5)).toMatchObject({ kind: 'pause', reason: expect.stringContaining('5.0%') });
    // One abandoned call of the first ten is 10%, but too few calls to pause on: slowed only.
    expect(at(9, 1)).toMatchObject({ kind: 'slow' });
  });
});

describe('repeat-call embargoes (Ofcom 72 h / 24 h)', () => {
  const endedAt = new Date('2026-12-01T10:00:00Z');
  const on = { machineRuleOn: true };

  it('keeps an abandoned number for 72 hours and a machine without a message for 24', () => {
    expect(repeatEmbargo({ outcome: CallOutcome.Abandoned, endedAt, voicemailLeft: false }, on)).toEqual({ notBefore: new Date('2026-12-04T10:00:00Z'), rule: 'abandoned_72h' });
    expect(repeatEmbargo({ outcome: CallOutcome.AnsweringMachine, endedAt, voicemailLeft: false }, on)).toEqual({ notBefore: new Date('2026-12-02T10:00:00Z'), rule: 'machine_24h' });
  });

  it('has no embargo for a machine that took the message, other outcomes, or when the operator turned the machine rule off', () => {
    expect(repeatEmbargo({ outcome: CallOutcome.AnsweringMachine, endedAt, voicemailLeft: true }, on)).toBeUndefined();
    expect(repeatEmbargo({ outcome: CallOutcome.Busy, endedAt, voicemailLeft: false }, on)).toBeUndefined();
    expect(repeatEmbargo({ outcome: CallOutcome.AnsweringMachine, endedAt, voicemailLeft: false }, { machineRuleOn: false })).toBeUndefined();
    expect(repeatEmbargo({ outcome: CallOutcome.Abandoned, endedAt, voicemailLeft: false }, { machineRuleOn: false })?.rule).toBe('abandoned_72h');
  });
});

describe('abandoned call (Ofcom 2 s rule)', () => {
  it('is a call whose first audio came after 2 s, or never came unless the person hung up within 2 s', async () => {
    const { isAbandoned } = await import('../../src/domain/compliance/abandoned-rate.js');
    expect(isAbandoned({ firstAudioAfterMs: 2_000, endedAfterMs: 30_000, endedByCallee: false })).toBe(false);
    expect(isAbandoned({ firstAudioAfterMs: 2_001, endedAfterMs: 30_000, endedByCallee: false })).toBe(true);
    expect(isAbandoned({ firstAudioAfterMs: undefined, endedAfterMs: 500, endedByCallee: false })).toBe(true);
    expect(isAbandoned({ firstAudioAfterMs: undefined, endedAfterMs: 1_500, endedByCallee: true })).toBe(false);
    expect(isAbandoned({ firstAudioAfterMs: undefined, endedAfterMs: 3_000, endedByCallee: true })).toBe(true);
  });
});
