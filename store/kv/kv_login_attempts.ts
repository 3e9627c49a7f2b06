/**
 * The Deno KV {@linkcode LoginAttemptStore}: failures as one key each under
 * `["login_failures", key, time, n]`, bans under `["login_bans", client]`.
 * Expired failures are deleted as new ones arrive.
 *
 * @module
 */
import type { LoginAttemptStore } from "../login_attempts.ts";
import { getEntry, type Kv, listEntries } from "./kv_port.ts";

const FAILURES = "login_failures";
const BANS = "login_bans";

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
}
