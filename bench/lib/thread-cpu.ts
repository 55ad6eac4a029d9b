// CPU time of this process's threads, split into the main thread and all the others (worker threads, V8's helper
// threads for garbage collection and compilation, libuv's pool), from /proc/self/task/<tid>/stat on Linux.
// process.cpuUsage() gives only the sum; the split says whether a figure is bound by our JavaScript on the main thread
// or by what runs beside it. Linux only: elsewhere the reading is undefined.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpuMs {
  mainMs: number;
  othersMs: number;
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc's utime and stime (getconf CLK_TCK; 100 on Linux in practice). */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const read = (() => {
      try {
        return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      } catch {
        return Number.NaN;
      }
    })();
    ticksPerSecond = Number.isFinite(read) && read > 0 ? read : 100;
  }
  return ticksPerSecond;
}

/** user + system ticks of one thread: fields 14 and 15 of its stat line, counted after the ")" that ends its name. */
function threadTicks(tid: string): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return Number(fields[11]) + Number(fields[12]);
}

/** The CPU time so far of the main thread and of the others (threads that have exited are not counted). */
export function readThreadCpu(): ThreadCpuMs | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const msPerTick = 1000 / clockTicksPerSecond();
    let mainMs = 0;
    let othersMs = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      let ticks: number;
      try {
        ticks = threadTicks(tid);
      } catch {
        continue; // the thread exited between the listing and the read
      }
      if (Number(tid) === process.pid) mainMs += ticks * msPerTick;
      else othersMs += ticks * msPerTick;
    }
    return { mainMs, othersMs };
  } catch {
    return undefined;
  }
}

/** What the threads used between two readings. */
export function threadCpuSince(before: ThreadCpuMs | undefined): ThreadCpuMs | undefined {
  const after = readThreadCpu();
  if (before === undefined || after === undefined) return undefined;
  return { mainMs: after.mainMs - before.mainMs, othersMs: after.othersMs - before.othersMs };
}
