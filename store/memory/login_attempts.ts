/**
 * The in-memory {@linkcode LoginAttemptStore}: one process's failures and bans.
 *
 * @module
 */
import type { LoginAttemptStore } from "../login_attempts.ts";

/**
 * Bounds of a {@linkcode MemoryLoginAttemptStore}.
 *
 * @example
 * ```ts
 * import type { MemoryLoginAttemptOptions } from "@tollgate/tollgate/store";
 * const bounds: MemoryLoginAttemptOptions = { maxKeys: 100, maxPerKey: 10 };
 * console.log(bounds.maxKeys); // 100
 * ```
 */
export interface MemoryLoginAttemptOptions {
  /** The most keys (and separately bans) kept; the least recently touched goes first. Default 10,000. */
  maxKeys?: number;
  /** The most failure times kept per key. Default 1,000. */
  maxPerKey?: number;
}

/**
 * Failures and bans in this process's memory, bounded.
 *
 * @example
 * ```ts
 * import { MemoryLoginAttemptStore } from "@tollgate/tollgate/store";
 * const attempts = new MemoryLoginAttemptStore({ maxKeys: 100 });
 * console.log(await attempts.bannedUntil("192.0.2.1", 0)); // undefined
 * ```
 */
export class MemoryLoginAttemptStore implements LoginAttemptStore {
  #failures = new Map<string, number[]>();
  #bans = new Map<string, number>();
  #maxKeys: number;
  #maxPerKey: number;

  /** An empty store with the given bounds. */
  constructor(options: MemoryLoginAttemptOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#maxPerKey = options.maxPerKey ?? 1_000;
  }

  /** Records a failure; returns the count in the window, this one included. */
  addFailure(key: string, at: number, windowMs: number): Promise<number> {
    const times = (this.#failures.get(key) ?? []).filter((time) => time > at - windowMs);
    times.push(at);
    if (times.length > this.#maxPerKey) times.shift();
    touch(this.#failures, key, times, this.#maxKeys);
    return Promise.resolve(times.length);
  }

  /** Forgets every failure of `key`. */
  clearFailures(key: string): Promise<void> {
    this.#failures.delete(key);
    return Promise.resolve();
  }

  /** Bans `client` until `until` (a later end stays). */
  ban(client: string, until: number): Promise<void> {
    touch(this.#bans, client, Math.max(until, this.#bans.get(client) ?? 0), this.#maxKeys);
    return Promise.resolve();
  }

  /** The ban's end, if after `now`. */
  bannedUntil(client: string, now: number): Promise<number | undefined> {
    const until = this.#bans.get(client);
    if (until !== undefined && until <= now) this.#bans.delete(client);
    return Promise.resolve(until !== undefined && until > now ? until : undefined);
  }

  /** Deletes failures outside the window and ended bans; returns how many. */
  sweep(now: number, windowMs: number): Promise<number> {
    let deleted = 0;
    for (const [key, times] of this.#failures) {
      const kept = times.filter((time) => time > now - windowMs);
      deleted += times.length - kept.length;
      if (kept.length === 0) this.#failures.delete(key);
      else this.#failures.set(key, kept);
    }
    for (const [client, until] of this.#bans) {
      if (until > now) continue;
      this.#bans.delete(client);
      deleted++;
    }
    return Promise.resolve(deleted);
  }
}

function touch<T>(map: Map<string, T>, key: string, value: T, maxKeys: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > maxKeys) map.delete(map.keys().next().value!);
}
