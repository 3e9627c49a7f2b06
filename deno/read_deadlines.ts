/**
 * The reads of one server's connections, each with a deadline, and the
 * server's shutdown, watched by one interval timer.
 *
 * A timer and an abort listener per read cost ~10% of the main thread at
 * c=20 (a Node-style `Timeout` object, the timer heap, `EventTarget`
 * bookkeeping, a `Promise.race`, for every command line). Here a read is a
 * promise and an entry in a set; one sweep every `tickMs` ends the reads whose
 * deadline has passed, so a timeout fires up to `tickMs` late.
 *
 * @module
 */
import type { ByteStream } from "./byte_stream.ts";

/** The bytes read, null at the end of the stream, or why the wait stopped. */
export type ReadEvent = Uint8Array | null | "timeout" | "shutdown";

interface PendingRead {
  deadline: number;
  settle: (event: "timeout" | "shutdown") => void;
}

/**
 * Reads with deadlines, ended together by {@linkcode ReadDeadlines.shutdown}.
 *
 * @example
 * ```ts ignore
 * const reads = new ReadDeadlines({ tickMs: 1_000, now: Date.now });
 * const event = await reads.read(stream, Date.now() + 300_000);
 * if (event === "timeout") await stream.write(new TextEncoder().encode("421 timeout\r\n"));
 * reads.shutdown(); // every pending read answers "shutdown"
 * ```
 */
export class ReadDeadlines {
  readonly #pending = new Set<PendingRead>();
  readonly #tickMs: number;
  readonly #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #shutDown = false;

  /** `tickMs`: how often deadlines are checked; `now`: the clock in ms. */
  constructor(options: { tickMs: number; now: () => number }) {
    this.#tickMs = options.tickMs;
    this.#now = options.now;
  }

  /**
   * The next chunk of `stream`; `"timeout"` once `deadline` (on the `now`
   * clock) has passed, `"shutdown"` after {@linkcode ReadDeadlines.shutdown}.
   * After either, the stream's read is left pending: close the stream.
   */
  read(stream: ByteStream, deadline: number): Promise<ReadEvent> {
    if (this.#shutDown) return Promise.resolve("shutdown");
    // Checked here too: a client sending a byte every few ms would otherwise always beat the sweep.
    if (deadline <= this.#now()) return Promise.resolve("timeout");
    return new Promise<ReadEvent>((resolve, reject) => {
      const pending: PendingRead = { deadline, settle: resolve };
      this.#pending.add(pending);
      this.#startSweeping();
      stream.read().then(
        (chunk) => this.#finish(pending) && resolve(chunk),
        // A read that fails after a timeout or shutdown is the closed stream: expected.
        (error) => this.#finish(pending) && reject(error),
      );
    });
  }

  /** Ends every pending and future read with `"shutdown"`. */
  shutdown(): void {
    this.#shutDown = true;
    for (const pending of this.#pending) pending.settle("shutdown");
    this.#pending.clear();
    this.#stopSweeping();
  }

  /** Whether the read was still waiting; the timer stops with the last one. */
  #finish(pending: PendingRead): boolean {
    if (!this.#pending.delete(pending)) return false;
    if (this.#pending.size === 0) this.#stopSweeping();
    return true;
  }

  #startSweeping(): void {
    this.#timer ??= setInterval(() => this.#sweep(), this.#tickMs);
  }

  #stopSweeping(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const now = this.#now();
    for (const pending of this.#pending) {
      if (pending.deadline > now) continue;
      this.#pending.delete(pending);
      pending.settle("timeout");
    }
    if (this.#pending.size === 0) this.#stopSweeping();
  }
}
