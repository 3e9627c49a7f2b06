/**
 * The login limiter of a cluster: the same three layers as the one-process
 * `LoginLimiter`, with failures and bans in a
 * {@linkcode LoginAttemptStore} every node shares, so guesses spread over
 * all nodes count as if they went to one.
 *
 * @module
 */
import type { LoginAttemptStore } from "../store/login_attempts.ts";
import { clientGroup } from "./client_group.ts";
import {
  accountKey,
  failureDelayMs,
  GLOBAL_KEY,
  type LoginAdmission,
  type LoginGate,
  type LoginLimiterOptions,
  type LoginOutcome,
  resolveLimiterOptions,
} from "./login_limiter.ts";

/**
 * `LoginLimiter`'s policy over a shared store: bans per client
 * group, slower answers per account, a global alarm. `maxTrackedKeys` does
 * not apply: {@linkcode SharedLoginLimiter.sweep} bounds the store by the window.
 *
 * A failure costs the store three writes and a read, a success or an
 * admission one read. When two nodes record a failure of one client at the
 * same moment, the ban may come one failure late (never early).
 *
 * @example
 * ```ts
 * import { SharedLoginLimiter } from "@tollgate/tollgate/auth";
 * import { MemoryLoginAttemptStore } from "@tollgate/tollgate/store";
 * const store = new MemoryLoginAttemptStore(); // PostgresLoginAttemptStore on a cluster
 * const nodeA = new SharedLoginLimiter(store, { banAfterFailures: 2 });
 * const nodeB = new SharedLoginLimiter(store, { banAfterFailures: 2 });
 * await nodeA.record("192.0.2.1", "test@domain.de", false, 0);
 * console.log(await nodeB.record("192.0.2.1", "test@domain.de", false, 1_000));
 * // { delayMs: 2000, banned: true }
 * console.log(await nodeA.admit("192.0.2.1", 2_000)); // { kind: "banned", untilMs: 901000 }
 * ```
 */
export class SharedLoginLimiter implements LoginGate {
  #store: LoginAttemptStore;
  #options: LoginLimiterOptions;

  /**
   * Keeps failures and bans in `store`; options left out take their defaults.
   *
   * @throws {RangeError} If a limit is not a positive integer, or `maxDelayMs < baseDelayMs`.
   */
  constructor(store: LoginAttemptStore, options: Partial<LoginLimiterOptions> = {}) {
    this.#store = store;
    this.#options = resolveLimiterOptions(options);
  }

  /** Before checking credentials: whether this client may try at all. */
  async admit(clientAddress: string, now: number): Promise<LoginAdmission> {
    const untilMs = await this.#store.bannedUntil(clientGroup(clientAddress), now);
    return untilMs === undefined ? { kind: "allow" } : { kind: "banned", untilMs };
  }

  /** After the check: how long to pause before answering, and whether the client is now banned. */
  async record(
    clientAddress: string,
    username: string,
    ok: boolean,
    now: number,
  ): Promise<LoginOutcome> {
    const client = clientGroup(clientAddress);
    if (!ok) {
      const { windowMs, banAfterFailures, banMs } = this.#options;
      const [clientCount, accountCount, globalCount] = await Promise.all([
        this.#store.addFailure(`client:${client}`, now, windowMs),
        this.#store.addFailure(`account:${accountKey(username)}`, now, windowMs),
        this.#store.addFailure(GLOBAL_KEY, now, windowMs),
      ]);
      const delayMs = failureDelayMs(this.#options, { clientCount, accountCount, globalCount });
      if (clientCount >= banAfterFailures) {
        await this.#store.ban(client, now + banMs);
        await this.#store.clearFailures(`client:${client}`);
      }
      return { delayMs, banned: await this.#store.bannedUntil(client, now) !== undefined };
    }
    return { delayMs: 0, banned: await this.#store.bannedUntil(client, now) !== undefined };
  }

  /**
   * Deletes the store's failures outside this limiter's window and its ended
   * bans (`LoginAttemptStore.sweep`); returns how many. The server runs it
   * now and then: a client or account that never comes back leaves them behind.
   */
  sweep(now: number): Promise<number> {
    return this.#store.sweep(now, this.#options.windowMs);
  }
}
