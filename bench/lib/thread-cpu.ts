// CPU time of this process's threads, split into the main thread, threads that have exited since (a media worker
// whose engine was closed) and all the others (V8's helper threads for garbage collection and compilation, libuv's
// pool), from /proc/self/task/<tid>/stat on Linux.
// process.cpuUsage() gives only the sum; the split says whether a figure is bound by our JavaScript on the main thread
// or by what runs beside it. Also the whole machine's busy CPU (readMachineBusyMs, /proc/stat), for figures whose
// work is shared with other processes (the dialer's and PostgreSQL's). Linux only: elsewhere the reading is undefined.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpuMs {
  mainMs: number;
  /** Threads that ran between the readings and have exited since (a media worker, once its engine closed). */
  exitedMs: number;
  /** The rest: V8's helper threads (collector, optimizing compiler), libuv's pool, live worker threads. */
  othersMs: number;
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc's utime and stime (getconf CLK_TCK; 100 on Linux in practice). */
function clockTicksPerSecond(): number {
  if (ticksPerSecond !== undefined) return ticksPerSecond;
  let read = Number.NaN;
  try {
    read = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    // no getconf: Linux's usual value below
  }
  ticksPerSecond = Number.isFinite(read) && read > 0 ? read : 100;
  return ticksPerSecond;
}

/** user + system ticks of one thread: fields 14 and 15 of its stat line, counted after the ")" that ends its name. */
function threadTicks(tid: string): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return Number(fields[11]) + Number(fields[12]);
}

/** The CPU time so far of each thread of this process, by thread id. */
export function readThreadCpu(): Map<number, number> | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const msPerTick = 1000 / clockTicksPerSecond();
    const byThread = new Map<number, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        byThread.set(Number(tid), threadTicks(tid) * msPerTick);
      } catch {
        // the thread exited between the listing and the read
      }
    }
    return byThread;
  } catch {
    return undefined;
  }
}

/**
 * What the threads used between two readings, split by main thread, threads that have exited by the time of the
 * call (read it after closing what their work belonged to) and the rest.
 */
export function splitThreadCpu(before: Map<number, number> | undefined, after: Map<number, number> | undefined): ThreadCpuMs | undefined {
  if (before === undefined || after === undefined) return undefined;
  const alive = readThreadCpu();
  if (alive === undefined) return undefined;
  const split: ThreadCpuMs = { mainMs: 0, exitedMs: 0, othersMs: 0 };
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === process.pid) split.mainMs += used;
    else if (!alive.has(tid)) split.exitedMs += used;
    else split.othersMs += used;
  }
  return split;
}

/**
 * CPU time the whole machine spent busy so far (user, nice, system, irq, softirq of every core, from /proc/stat's
 * first line; idle, iowait and steal left out). Between two readings on a quiet machine it is what a figure cost all
 * its processes together (the dialer's and PostgreSQL's), which varies far less than a rate does when the host's
 * other tenants take turns on the cores. Linux only: elsewhere undefined.
 */
export function readMachineBusyMs(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq!) * (1000 / clockTicksPerSecond());
  } catch {
    return undefined;
  }
}
