/**
 * The Deno KV {@linkcode LoginAttemptStore}: failures as one key each under
 * `["login_failures", key, time, n]`, bans under `["login_bans", client]`.
 * A key's expired failures are deleted as new ones of it arrive, the rest by `sweep`.
 *
 * @module
 */
import type { LoginAttemptStore } from "../login_attempts.ts";
import { getEntry, type Kv, type KvKey, listEntries } from "./kv_port.ts";

const FAILURES = "login_failures";
const BANS = "login_bans";
/** Expired failures deleted per atomic write (KV allows 1,000 mutations). */
const DELETES_PER_COMMIT = 500;

/**
 * Failures and bans in a Deno KV database.
 *
 * @example
 * ```ts ignore
 * import { KvLoginAttemptStore } from "@tollgate/tollgate/store/kv";
 * declare const kv: import("@tollgate/tollgate/store/kv").Kv;
 * const attempts = new KvLoginAttemptStore(kv);
 * console.log(await attempts.addFailure("client:192.0.2.1", 0, 60_000)); // 1
 * ```
 */
export class KvLoginAttemptStore implements LoginAttemptStore {
  #kv: Kv;
  #sequence = 0;

  /** Keeps failures and bans in `kv`. */
  constructor(kv: Kv) {
    this.#kv = kv;
  }

  /** Records a failure; returns the count in the window, this one included. */
  async addFailure(key: string, at: number, windowMs: number): Promise<number> {
    const start = at - windowMs;
    for await (
      const entry of listEntries<boolean>(this.#kv, {
        prefix: [FAILURES, key],
        end: [FAILURES, key, start + 1],
      })
    ) {
      await this.#kv.delete(entry.key);
    }
    this.#sequence = (this.#sequence + 1) % Number.MAX_SAFE_INTEGER;
    await this.#kv.set([FAILURES, key, at, this.#sequence, crypto.randomUUID()], true);
    let count = 0;
    for await (
      const _ of this.#kv.list({ prefix: [FAILURES, key], start: [FAILURES, key, start + 1] })
    ) {
      count++;
    }
    return count;
  }

  /** Forgets every failure of `key`. */
  async clearFailures(key: string): Promise<void> {
    for await (const entry of listEntries<boolean>(this.#kv, { prefix: [FAILURES, key] })) {
      await this.#kv.delete(entry.key);
    }
  }

  /** Bans `client` until `until` (a later end stays). */
  async ban(client: string, until: number): Promise<void> {
    const current = await getEntry<number>(this.#kv, [BANS, client]);
    if (typeof current.value === "number" && current.value >= until) return;
    await this.#kv.set([BANS, client], until);
  }

  /** The ban's end, if after `now`. */
  async bannedUntil(client: string, now: number): Promise<number | undefined> {
    const { value } = await getEntry<number>(this.#kv, [BANS, client]);
    if (typeof value === "number" && value > now) return value;
    if (value !== null) await this.#kv.delete([BANS, client]);
    return undefined;
  }

  /**
   * Deletes failures outside the window (a scan of every failure, deleted
   * in batches) and ended bans (each unless it was renewed meanwhile);
   * returns how many.
   */
  async sweep(now: number, windowMs: number): Promise<number> {
    let deleted = 0;
    let expired: KvKey[] = [];
    const deleteExpired = async () => {
      const operation = this.#kv.atomic();
      for (const key of expired) operation.delete(key);
      await operation.commit();
      deleted += expired.length;
      expired = [];
    };
    for await (const entry of listEntries<boolean>(this.#kv, { prefix: [FAILURES] })) {
      const at = entry.key[2];
      if (typeof at === "number" && at <= now - windowMs) expired.push(entry.key);
      if (expired.length === DELETES_PER_COMMIT) await deleteExpired();
    }
    await deleteExpired();
    for await (const ban of listEntries<number>(this.#kv, { prefix: [BANS] })) {
      if (ban.value > now) continue;
      if ((await this.#kv.atomic().check(ban).delete(ban.key).commit()).ok) deleted++;
    }
    return deleted;
  }
}
