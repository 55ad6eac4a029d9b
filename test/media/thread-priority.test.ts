import { describe, expect, it } from 'vitest';
import { applyThreadNiceness, priorityWarning, type PriorityControl } from '../../src/media/session/thread-priority.js';

/** A thread's priority as the system would keep it; setPriority may be made to fail. */
function control(platform: NodeJS.Platform, fail?: { code: string } | Error): PriorityControl & { niceness: number; sets: number } {
  const state = {
    platform,
    niceness: 0,
    sets: 0,
    setPriority(priority: number) {
      state.sets++;
      if (fail) throw fail instanceof Error ? fail : Object.assign(new Error('A system error occurred'), { code: 'ERR_SYSTEM_ERROR', info: fail });
      state.niceness = priority;
    },
    getPriority: () => state.niceness,
  };
  return state;
}

describe('applyThreadNiceness', () => {
  it('sets the thread\'s nice value on Linux and reads it back', () => {
    const thread = control('linux');
    expect(applyThreadNiceness(-10, thread)).toEqual({ asked: -10, niceness: -10, applied: true });
    expect(thread.niceness).toBe(-10);
  });

  it('leaves the thread alone when asked for 0', () => {
    const thread = control('linux');
    expect(applyThreadNiceness(0, thread)).toEqual({ asked: 0, niceness: 0, applied: false, reason: 'not asked for (0)' });
    expect(thread.sets).toBe(0);
  });

  it('does not touch the priority where it belongs to the whole process (not Linux)', () => {
    const thread = control('darwin');
    const result = applyThreadNiceness(-10, thread);
    expect(result).toMatchObject({ asked: -10, applied: false });
    expect(result.reason).toMatch(/Linux only.*darwin/);
    expect(thread.sets).toBe(0);
  });

  it('says that root or CAP_SYS_NICE is needed when the system refuses (EACCES, as Node reports it)', () => {
    const thread = control('linux', { code: 'EACCES' });
    const result = applyThreadNiceness(-10, thread);
    expect(result).toMatchObject({ asked: -10, niceness: 0, applied: false });
    expect(result.reason).toMatch(/CAP_SYS_NICE/);
  });

  it('passes on any other failure without throwing', () => {
    const result = applyThreadNiceness(-5, control('linux', new Error('something odd')));
    expect(result).toMatchObject({ applied: false, reason: 'something odd' });
  });

  it('reports a value the system did not give as it was asked', () => {
    const thread = control('linux');
    thread.setPriority = (priority) => void (thread.niceness = priority + 1);
    expect(applyThreadNiceness(-10, thread)).toEqual({ asked: -10, niceness: -9, applied: false, reason: 'the system gave nice -9' });
  });
});

describe('priorityWarning', () => {
  it('warns only when a priority was asked for and not had', () => {
    expect(priorityWarning({ asked: -10, niceness: -10, applied: true })).toBeUndefined();
    expect(priorityWarning({ asked: 0, niceness: 0, applied: false, reason: 'not asked for (0)' })).toBeUndefined();
    expect(priorityWarning({ asked: -10, niceness: 0, applied: false, reason: 'not permitted: a nice value below 0 needs root or CAP_SYS_NICE' })).toBe(
      "media workers run at the process's priority: MEDIA_WORKER_NICE -10 not permitted: a nice value below 0 needs root or CAP_SYS_NICE",
    );
  });
});
