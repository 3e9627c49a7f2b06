/**
 * Failure counts over a sliding window, per key, in bounded memory: the
 * building block of the login limiter (`auth/login_limiter.ts`) and the admin
 * API's token throttle.
 *
 * @module
 */

/**
 * How {@linkcode FailureWindow} counts.
 *
 * @example
 * ```ts
 * import { FailureWindow, type FailureWindowOptions } from "@tollgate/tollgate/auth";
 * const options: FailureWindowOptions = { windowMs: 60_000, maxCount: 5, maxKeys: 10_000 };
 * const failures = new FailureWindow(options);
 * console.log(options.maxCount); // 5
 * ```
 */
export interface FailureWindowOptions {
  /** A failure counts for this long after it happened (ms). */
  windowMs: number;
  /**
   * The largest count a caller needs to see; older failures beyond it are
   * dropped, so a key holds at most this many timestamps.
   */
  maxCount: number;
  /** The most keys tracked; the least recently touched key is forgotten first. */
  maxKeys: number;
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Cannot count failures: ${name} must be a positive integer, got ${value}`);
  }
}

/**
 * Recent failures per key. Time is passed in (ms); nothing here reads a clock.
 *
 * A key's count is exact up to `maxCount`: the count of failures within
 * `windowMs` before `now`. Memory is at most `maxKeys × maxCount` timestamps.
 *
 * @example
 * ```ts
 * import { FailureWindow } from "@tollgate/tollgate/auth";
 * const failures = new FailureWindow({ windowMs: 60_000, maxCount: 5, maxKeys: 1000 });
 * failures.add("192.0.2.1", 0);
 * failures.add("192.0.2.1", 1_000);
 * console.log(failures.count("192.0.2.1", 30_000)); // 2
 * console.log(failures.count("192.0.2.1", 60_500)); // 1
 * ```
 */
export class FailureWindow {
  #options: FailureWindowOptions;
  /** Key → failure times, oldest first; Map order is least recently touched first. */
  #failures = new Map<string, number[]>();

  /**
   * Creates an empty window.
   *
   * @throws {RangeError} If an option is not a positive integer.
   */
  constructor(options: FailureWindowOptions) {
    assertPositiveInteger("windowMs", options.windowMs);
    assertPositiveInteger("maxCount", options.maxCount);
    assertPositiveInteger("maxKeys", options.maxKeys);
    this.#options = { ...options };
  }

  /** Records one failure for `key` at `now`; returns the count in the window, this one included. */
  add(key: string, now: number): number {
    const times = this.#recent(key, now);
    times.push(now);
    if (times.length > this.#options.maxCount) times.shift();
    this.#failures.delete(key);
    this.#failures.set(key, times);
    while (this.#failures.size > this.#options.maxKeys) {
      this.#failures.delete(this.#failures.keys().next().value!);
    }
    return times.length;
  }

  /** The number of failures for `key` in the window ending at `now` (at most `maxCount`). */
  count(key: string, now: number): number {
    return this.#recent(key, now).length;
  }

  /**
   * When the count for `key` drops below `count` again, if it is at least
   * `count` at `now`: the time the oldest failure that matters leaves the window.
   */
  belowAgainAt(key: string, count: number, now: number): number | undefined {
    const times = this.#recent(key, now);
    if (times.length < count) return undefined;
    return times[times.length - count] + this.#options.windowMs;
  }

  /** Forgets every failure of `key`. */
  clear(key: string): void {
    this.#failures.delete(key);
  }

  /** How many keys are tracked. */
  get size(): number {
    return this.#failures.size;
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key);
    if (times === undefined) return [];
    const start = now - this.#options.windowMs;
    let expired = 0;
    while (expired < times.length && times[expired] <= start) expired++;
    if (expired > 0) times.splice(0, expired);
    if (times.length === 0) this.#failures.delete(key);
    return times;
  }
}
