import { describe, it, expect } from 'vitest';
import { AttemptSelector, CallOutcome, NumberStatus } from '../../src/domain/enums.js';
import {
  decideAfterCall,
  leaveVoicemailOn,
  outcomeForFailure,
  sendSmsOnBusy,
  type AfterCall,
} from '../../src/domain/outcome-policy.js';
import type { DialFailure } from '../../src/telephony/carrier.js';

describe('outcomeForFailure', () => {
  const cases: [DialFailure, CallOutcome][] = [
    ['busy', CallOutcome.Busy],
    ['no_answer', CallOutcome.NoAnswer],
    ['rejected', CallOutcome.Rejected],
    ['invalid_number', CallOutcome.InvalidNumber],
    ['failed', CallOutcome.Failed],
  ];
  it.each(cases)('%s -> outcome %i', (failure, outcome) => {
    expect(outcomeForFailure(failure)).toBe(outcome);
  });
});

describe('decideAfterCall', () => {
  const retry: AfterCall = { kind: 'retry' };
  const finished = (status: NumberStatus): AfterCall => ({ kind: 'finished', status });

  const retryable: [string, CallOutcome][] = [
    ['Busy', CallOutcome.Busy],
    ['NoAnswer', CallOutcome.NoAnswer],
    ['Failed', CallOutcome.Failed],
    ['AnsweringMachine', CallOutcome.AnsweringMachine],
    ['Interrupted', CallOutcome.Interrupted],
  ];
  describe.each(retryable)('%s', (_name, outcome) => {
    it('retries while attempts remain (attempt 1 and 2 of 3)', () => {
      expect(decideAfterCall({ outcome, attemptNumber: 1, totalAttempts: 3 })).toEqual(retry);
      expect(decideAfterCall({ outcome, attemptNumber: 2, totalAttempts: 3 })).toEqual(retry);
    });
    it('finishes as AttemptsExhausted on the last attempt', () => {
      expect(decideAfterCall({ outcome, attemptNumber: 3, totalAttempts: 3 })).toEqual(finished(NumberStatus.AttemptsExhausted));
    });
    it('finishes as AttemptsExhausted in a one-attempt campaign', () => {
      expect(decideAfterCall({ outcome, attemptNumber: 1, totalAttempts: 1 })).toEqual(finished(NumberStatus.AttemptsExhausted));
    });
  });

  const final: [string, CallOutcome, NumberStatus][] = [
    ['Answered', CallOutcome.Answered, NumberStatus.Answered],
    ['Rejected', CallOutcome.Rejected, NumberStatus.Rejected],
    ['InvalidNumber', CallOutcome.InvalidNumber, NumberStatus.InvalidNumber],
    // Ofcom: no repeat call to an abandoned number within 72 hours; a person was reached.
    ['Abandoned', CallOutcome.Abandoned, NumberStatus.Answered],
  ];
  describe.each(final)('%s', (_name, outcome, status) => {
    it('ends the number on the first attempt even with attempts left', () => {
      expect(decideAfterCall({ outcome, attemptNumber: 1, totalAttempts: 3 })).toEqual(finished(status));
    });
    it('ends the number on the last attempt with the same status', () => {
      expect(decideAfterCall({ outcome, attemptNumber: 3, totalAttempts: 3 })).toEqual(finished(status));
    });
  });

  it('covers every outcome except InProgress', () => {
    const covered = new Set([...retryable, ...final].map(([, outcome]) => outcome));
    expect([...covered].sort()).toEqual(CallOutcome.values.filter((v) => v !== CallOutcome.InProgress).sort());
  });

  it('throws for a call still in progress', () => {
    expect(() => decideAfterCall({ outcome: CallOutcome.InProgress, attemptNumber: 1, totalAttempts: 2 })).toThrow(/in progress/);
  });

  it('throws for an attempt number outside 1..totalAttempts', () => {
    expect(() => decideAfterCall({ outcome: CallOutcome.Busy, attemptNumber: 0, totalAttempts: 2 })).toThrow(RangeError);
    expect(() => decideAfterCall({ outcome: CallOutcome.Busy, attemptNumber: 3, totalAttempts: 2 })).toThrow(RangeError);
    expect(() => decideAfterCall({ outcome: CallOutcome.Busy, attemptNumber: 1.5, totalAttempts: 2 })).toThrow(RangeError);
    expect(() => decideAfterCall({ outcome: CallOutcome.Busy, attemptNumber: 1, totalAttempts: 0 })).toThrow(RangeError);
  });
});

describe.each([
  ['leaveVoicemailOn (AnswerPhoneMessage)', leaveVoicemailOn],
  ['sendSmsOnBusy (SMSOnBusy)', sendSmsOnBusy],
] as const)('%s', (_name, selects) => {
  // [mode, attemptNumber, totalAttempts, expected]
  const table: [AttemptSelector, number, number, boolean][] = [
    [AttemptSelector.Never, 1, 3, false],
    [AttemptSelector.Never, 2, 3, false],
    [AttemptSelector.Never, 3, 3, false],
    [AttemptSelector.Never, 1, 1, false],
    [AttemptSelector.OnTheFirstCall, 1, 3, true],
    [AttemptSelector.OnTheFirstCall, 2, 3, false],
    [AttemptSelector.OnTheFirstCall, 3, 3, false],
    [AttemptSelector.OnTheFirstCall, 1, 1, true],
    [AttemptSelector.OnTheLastCall, 1, 3, false],
    [AttemptSelector.OnTheLastCall, 2, 3, false],
    [AttemptSelector.OnTheLastCall, 3, 3, true],
    [AttemptSelector.OnTheLastCall, 1, 1, true],
  ];
  it.each(table)('mode %i, attempt %i of %i -> %s', (mode, attemptNumber, totalAttempts, expected) => {
    expect(selects(mode, attemptNumber, totalAttempts)).toBe(expected);
  });

  it('throws for an attempt number beyond the total', () => {
    expect(() => selects(AttemptSelector.OnTheLastCall, 4, 3)).toThrow(RangeError);
  });
});
