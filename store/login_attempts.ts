/**
 * Failed logins and bans, kept where every node sees them: the state behind
 * the cluster-wide login limiter (`auth/shared_login_limiter.ts`). The
 * in-memory store (`store/memory/`) is the reference; `store/kv/` and `store/postgres/`
 * implement the same contract (`tests/_store_contract_login.ts`).
 *
 * @module
 */

/**
 * Failures per key over a sliding window, and bans per client group.
 *
 * Keys are opaque short strings (the limiter uses `client:…`, `account:…`
 * and `*`). Every caller of one store uses the same window; failures older
 * than it may be forgotten at any time. Time is passed in (ms since epoch).
 *
 * @example
 * ```ts
 * import { MemoryLoginAttemptStore } from "@tollgate/tollgate/store";
 * const attempts = new MemoryLoginAttemptStore();
 * await attempts.addFailure("client:192.0.2.1", 0, 60_000);
 * console.log(await attempts.addFailure("client:192.0.2.1", 1_000, 60_000)); // 2
 * await attempts.ban("192.0.2.1", 5_000);
 * console.log(await attempts.bannedUntil("192.0.2.1", 1_000)); // 5000
 * console.log(await attempts.sweep(70_000, 60_000)); // 3: both failures and the ban
 * ```
 */
export interface LoginAttemptStore {
  /**
   * Records one failure of `key` at `at`; returns how many failures of `key`
   * fall within `windowMs` before `at` (after `at - windowMs`), this one included.
   */
  addFailure(key: string, at: number, windowMs: number): Promise<number>;
  /** Forgets every failure of `key`. */
  clearFailures(key: string): Promise<void>;
  /** Bans `client` until `until`; a ban that ends later stays. */
  ban(client: string, until: number): Promise<void>;
  /** When `client`'s ban ends, if it ends after `now`. */
  bannedUntil(client: string, now: number): Promise<number | undefined>;
  /**
   * Deletes every failure at or before `now - windowMs` (outside the window
   * of every count made from `now` on) and every ban that ended at or before
   * `now`; returns how many failures and bans it deleted. A key or client
   * that never comes back is otherwise kept: run it now and then.
   */
  sweep(now: number, windowMs: number): Promise<number>;
}
