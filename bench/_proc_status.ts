/**
 * Reads a process's memory counters from `/proc/<pid>/status` (Linux).
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
