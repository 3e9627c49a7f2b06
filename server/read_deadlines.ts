/**
 * The deadlines of one server's connections waiting for input, and the
 * server's shutdown, watched by one interval timer.
 *
 * A timer and an abort listener per read cost ~10% of the main thread at
 * c=20 (a Node-style `Timeout` object, the timer heap, `EventTarget`
 * bookkeeping, a `Promise.race`, for every command line). A promise wrapped
 * around every read cost memory: an idle connection held it, its resolving
 * functions and the callbacks on the read. Here a waiting connection is an
 * entry in a set; one sweep every `tickMs` expires those whose deadline has
 * passed, so a timeout fires up to `tickMs` late.
 *
 * @module
 */

/**
 * Why a wait ended without input.
 *
 * @example
 * ```ts
 * import type { WaitExpiry } from "@tollgate/tollgate/server";
 * const reply = (reason: WaitExpiry) =>
 *   reason === "timeout" ? "421 4.4.2 idle too long" : "421 4.3.2 shutting down";
 * console.log(reply("shutdown")); // "421 4.3.2 shutting down"
 * ```
 */
export type WaitExpiry = "timeout" | "shutdown";

/**
 * Something waiting for input until a deadline: one connection's session.
 *
 * @example
 * ```ts
 * import { type InputWaiter, ReadDeadlines } from "@tollgate/tollgate/server";
 * const reads = new ReadDeadlines({ tickMs: 10, now: Date.now });
 * const waiter: InputWaiter = { deadline: Date.now() + 60_000, expire: (why) => console.log(why) };
 * reads.watch(waiter);
 * console.log(reads.release(waiter)); // true: input came in time
 * ```
 */
export interface InputWaiter {
  /** When the wait ends with `"timeout"`, on the clock of {@linkcode ReadDeadlines}. */
  readonly deadline: number;
  /**
   * The wait is over without input: its deadline passed or the server is
   * shutting down. Called at most once per {@linkcode ReadDeadlines.watch};
   * input that arrives later is to be dropped ({@linkcode ReadDeadlines.release}
   * says so) and the stream closed.
   */
  expire(reason: WaitExpiry): void;
}

/**
 * Watches waiters' deadlines; {@linkcode ReadDeadlines.shutdown} expires them all.
 *
 * @example
 * ```ts
 * import { type InputWaiter, ReadDeadlines } from "./read_deadlines.ts";
 * const reads = new ReadDeadlines({ tickMs: 10, now: Date.now });
 * const expired = Promise.withResolvers<string>();
 * const waiter: InputWaiter = { deadline: Date.now() + 20, expire: expired.resolve };
 * console.log(reads.watch(waiter)); // "watching": now read, and release(waiter) when input comes
 * console.log(await expired.promise); // "timeout", about 20 ms later
 * console.log(reads.release(waiter)); // false: input arriving now is too late
 * reads.shutdown();
 * ```
 */
export class ReadDeadlines {
  readonly #waiting = new Set<InputWaiter>();
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
   * Starts watching `waiter` while it waits for input: `"watching"`, or why
   * its wait is over already (then `expire` is not called).
   */
  watch(waiter: InputWaiter): "watching" | WaitExpiry {
    if (this.#shutDown) return "shutdown";
    // Checked here too: a client sending a byte every few ms would otherwise always beat the sweep.
    if (waiter.deadline <= this.#now()) return "timeout";
    this.#waiting.add(waiter);
    this.#timer ??= setInterval(() => this.#sweep(), this.#tickMs);
    return "watching";
  }

  /**
   * Stops watching `waiter` because its input (or a read error) came: true
   * when it was still waiting, false when it had expired (drop the input).
   */
  release(waiter: InputWaiter): boolean {
    if (!this.#waiting.delete(waiter)) return false;
    if (this.#waiting.size === 0) this.#stopSweeping();
    return true;
  }

  /** Expires every waiter with `"shutdown"`; later watches answer `"shutdown"`. */
  shutdown(): void {
    this.#shutDown = true;
    this.#stopSweeping();
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const waiter of waiting) waiter.expire("shutdown");
  }

  #stopSweeping(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const now = this.#now();
    for (const waiter of this.#waiting) {
      if (waiter.deadline > now) continue;
      this.#waiting.delete(waiter);
      waiter.expire("timeout");
    }
    if (this.#waiting.size === 0) this.#stopSweeping();
  }
}
