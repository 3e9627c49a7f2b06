/**
 * Reads a process's memory counters from `/proc/<pid>/status` and its CPU time from
 * `/proc/<pid>/stat` (Linux).
 *
 * @module
 */

/** Resident memory of a process, in KiB. */
export interface MemoryCounters {
  /** `VmHWM`: the peak resident set size so far. */
  peakKiB: number;
  /** `VmRSS`: the resident set size now. */
  currentKiB: number;
}

/** Reads `VmHWM` and `VmRSS` of a running process. */
export async function readMemoryCounters(pid: number): Promise<MemoryCounters> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
    if (!match) throw new SyntaxError(`Cannot parse /proc/${pid}/status: no ${name} line`);
    return Number(match[1]);
  };
  return { peakKiB: field("VmHWM"), currentKiB: field("VmRSS") };
}

/**
 * Resets a process's `VmHWM` to its current RSS (`echo 5 > /proc/<pid>/clear_refs`,
 * Linux 4.0+), so a later peak reflects only what happened after this call.
 */
export async function resetPeakMemory(pid: number): Promise<void> {
  await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
}

/** CPU time (user and system) a process has used so far, in milliseconds. */
export interface CpuTime {
  /** All of the process's threads. */
  processMs: number;
  /** Its main thread only (`/proc/<pid>/task/<pid>/stat`): for Deno, the JavaScript thread. */
  mainThreadMs: number;
}

/** Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`; 100 on every Linux port). */
const TICKS_PER_SECOND = 100;

/** `utime + stime` of one `stat` file, in ms (fields 14 and 15, after the `(comm)`). */
async function statCpuMs(path: string): Promise<number> {
  const stat = await Deno.readTextFile(path);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Field 3 (state) is fields[0] here, so utime (14) and stime (15) are fields[11] and [12].
  return (Number(fields[11]) + Number(fields[12])) * 1000 / TICKS_PER_SECOND;
}

/**
 * Reads the CPU time of a running process and of its main thread (10 ms resolution).
 *
 * @example
 * ```ts
 * import { readCpuTime } from "./_proc_status.ts";
 * const cpu = await readCpuTime(Deno.pid);
 * console.log(cpu.processMs >= cpu.mainThreadMs); // true
 * ```
 */
export async function readCpuTime(pid: number): Promise<CpuTime> {
  return {
    processMs: await statCpuMs(`/proc/${pid}/stat`),
    mainThreadMs: await statCpuMs(`/proc/${pid}/task/${pid}/stat`),
  };
}
