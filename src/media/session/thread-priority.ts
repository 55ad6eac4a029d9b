// The CPU priority a media worker thread asks for (MEDIA_WORKER_NICE).
//
// A media worker paces RTP frames 20 ms apart for hundreds of calls; a frame goes out late whenever the thread waits
// for a core behind other work: the process's main thread (database, SIP, HTTP) or another process. A lower nice value
// makes the kernel run the worker first when it wakes. Measured with bench/media.ts (1,000 calls, 2 workers, the far
// end a C process on the same two cores; 20 runs each, alternated): send lateness p99 median 5.9 ms at nice 0 and 4.2
// ms at nice -10, and runs past 7 ms 8 of 20 against 1 of 20.
//
// On Linux the nice value belongs to a thread: setpriority(PRIO_PROCESS, 0) changes the calling thread only, so the
// main thread keeps its own. Elsewhere it changes the whole process, so it is left alone there. Lowering it below 0
// needs root or CAP_SYS_NICE; without them the worker keeps the process's priority and says why.

/** What a worker asked for and what it got. */
export interface ThreadPriority {
  /** The nice value asked for (0: leave the thread as it started). */
  asked: number;
  /** The thread's nice value afterwards, as the system reports it (null where it was not read). */
  niceness: number | null;
  applied: boolean;
  /** Why it was not applied. */
  reason?: string;
}

/** The parts of node:os used, injected so the rule is tested without changing a real thread. */
export interface PriorityControl {
  platform: NodeJS.Platform;
  setPriority(priority: number): void;
  getPriority(): number;
}

/** Asks for `asked` as the calling thread's nice value, where that is per thread (Linux). Never throws. */
export function applyThreadNiceness(asked: number, control: PriorityControl): ThreadPriority {
  if (asked === 0) return { asked, niceness: readNiceness(control), applied: false, reason: 'not asked for (0)' };
  if (control.platform !== 'linux') {
    return { asked, niceness: null, applied: false, reason: `a thread's own priority is set on Linux only (this is ${control.platform})` };
  }
  try {
    control.setPriority(asked);
  } catch (error) {
    // Node reports a failed setpriority as ERR_SYSTEM_ERROR with the system's code in `info`.
    const { code, info } = error as { code?: string; info?: { code?: string } };
    const systemCode = info?.code ?? code;
    const why = systemCode === 'EACCES' || systemCode === 'EPERM' ? 'not permitted: a nice value below 0 needs root or CAP_SYS_NICE' : (error as Error).message;
    return { asked, niceness: readNiceness(control), applied: false, reason: why };
  }
  const niceness = readNiceness(control);
  return niceness === asked ? { asked, niceness, applied: true } : { asked, niceness, applied: false, reason: `the system gave nice ${niceness}` };
}

function readNiceness(control: PriorityControl): number | null {
  try {
    return control.getPriority();
  } catch {
    return null;
  }
}

/** What the dialer logs once when the workers asked for a priority and did not get it; undefined when all is well. */
export function priorityWarning(priority: ThreadPriority): string | undefined {
  if (priority.asked === 0 || priority.applied) return undefined;
  return `media workers run at the process's priority: MEDIA_WORKER_NICE ${priority.asked} ${priority.reason ?? 'was not applied'}`;
}
