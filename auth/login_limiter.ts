/**
 * The defence against password guessing, in layers, as a pure object: the
 * session asks it before and tells it after each credential check.
 *
 * @module
 */

import { clientGroup } from "./client_group.ts";
import { FailureWindow } from "./failure_window.ts";

/**
 * The limits of a {@linkcode LoginLimiter}; every one has a default.
 *
 * @example
 * ```ts
 * import { LoginLimiter, type LoginLimiterOptions } from "@tollgate/tollgate/auth";
 * const strict: Partial<LoginLimiterOptions> = { banAfterFailures: 5, banMs: 60 * 60_000 };
 * const limiter = new LoginLimiter(strict);
 * console.log(limiter.admit("192.0.2.1", 0)); // { kind: "allow" }
 * ```
 */
export interface LoginLimiterOptions {
  /** Failures count for this long (ms). Default 15 minutes. */
  windowMs: number;
  /** This many failures from one client (IPv6: one /64) within the window ban it. Default 10. */
  banAfterFailures: number;
  /** How long a ban lasts (ms). Default 15 minutes. */
  banMs: number;
  /** The pause after the first recent failure (ms); it doubles with each further one. Default 1 s. */
  baseDelayMs: number;
  /** The longest pause (ms). Default 8 s. */
  maxDelayMs: number;
  /**
   * This many failures from all clients within the window mean a distributed
   * attack: every failure then pauses `maxDelayMs`. Default 200.
   */
  globalFailures: number;
  /** The most client groups, and separately accounts, tracked; the oldest is forgotten. Default 10,000. */
  maxTrackedKeys: number;
}

const DEFAULT_OPTIONS: LoginLimiterOptions = {
  windowMs: 15 * 60_000,
  banAfterFailures: 10,
  banMs: 15 * 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  globalFailures: 200,
  maxTrackedKeys: 10_000,
};

/**
 * The key under which every failure is counted (the global layer).
 *
 * @example
 * ```ts
 * import { GLOBAL_KEY } from "@tollgate/tollgate/auth";
 * console.log(GLOBAL_KEY); // "*"
 * ```
 */
export const GLOBAL_KEY = "*";
/**
 * Account keys are cut to this many characters, so that tracked keys stay
 * small whatever a client sends as its user name (SASL allows 12 KiB);
 * addresses are at most 254.
 */
const MAX_ACCOUNT_KEY_LENGTH = 256;

/**
 * The account key of a user name: cut to 256 characters, lower-cased.
 *
 * @example
 * ```ts
 * import { accountKey } from "@tollgate/tollgate/auth";
 * console.log(accountKey("Test@Domain.de")); // "test@domain.de"
 * ```
 */
export function accountKey(username: string): string {
  return username.slice(0, MAX_ACCOUNT_KEY_LENGTH).toLowerCase();
}

/**
 * Every option, defaults filled in and checked.
 *
 * @example
 * ```ts
 * import { resolveLimiterOptions } from "@tollgate/tollgate/auth";
 * console.log(resolveLimiterOptions({ banAfterFailures: 3 }).banAfterFailures); // 3
 * ```
 * @throws {RangeError} If a limit is not a positive integer, or `maxDelayMs < baseDelayMs`.
 */
export function resolveLimiterOptions(options: Partial<LoginLimiterOptions>): LoginLimiterOptions {
  const merged = { ...DEFAULT_OPTIONS, ...options };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot create login limiter: ${name} must be a positive integer, got ${value}`,
      );
    }
  }
  if (merged.maxDelayMs < merged.baseDelayMs) {
    throw new RangeError("Cannot create login limiter: maxDelayMs is below baseDelayMs");
  }
  return merged;
}

/**
 * The recent failure counts one decision looks at, the failure just made included.
 *
 * @example
 * ```ts
 * import { failureDelayMs, type FailureCounts, resolveLimiterOptions } from "@tollgate/tollgate/auth";
 * const counts: FailureCounts = { clientCount: 3, accountCount: 1, globalCount: 3 };
 * console.log(failureDelayMs(resolveLimiterOptions({}), counts)); // 4000
 * ```
 */
export interface FailureCounts {
  /** Of the client group. */
  clientCount: number;
  /** Of the account. */
  accountCount: number;
  /** Of everyone. */
  globalCount: number;
}

/**
 * The pause after a failure: `baseDelayMs × 2^(n−1)` capped at `maxDelayMs`
 * (`n` the larger of the client's and the account's count), or `maxDelayMs`
 * during a distributed attack.
 *
 * @example
 * ```ts
 * import { failureDelayMs, resolveLimiterOptions } from "@tollgate/tollgate/auth";
 * const options = resolveLimiterOptions({});
 * console.log(failureDelayMs(options, { clientCount: 2, accountCount: 1, globalCount: 2 })); // 2000
 * ```
 */
export function failureDelayMs(options: LoginLimiterOptions, counts: FailureCounts): number {
  const { baseDelayMs, maxDelayMs, globalFailures } = options;
  if (counts.globalCount >= globalFailures) return maxDelayMs;
  const recent = Math.max(counts.clientCount, counts.accountCount);
  return Math.min(maxDelayMs, baseDelayMs * 2 ** (recent - 1));
}

/**
 * What a connection asks before and tells after a credential check: a
 * {@linkcode LoginLimiter} (one process) or a `SharedLoginLimiter` (every
 * node on a shared store).
 *
 * @example
 * ```ts
 * import { LoginLimiter, type LoginGate } from "@tollgate/tollgate/auth";
 * const gate: LoginGate = new LoginLimiter();
 * console.log(await gate.record("192.0.2.1", "test@domain.de", true, 0)); // { delayMs: 0, banned: false }
 * ```
 */
export interface LoginGate {
  /** Before checking credentials: whether this client may try at all. */
  admit(clientAddress: string, now: number): LoginAdmission | Promise<LoginAdmission>;
  /** After the check: the pause, and whether the client is now banned. */
  record(
    clientAddress: string,
    username: string,
    ok: boolean,
    now: number,
  ): LoginOutcome | Promise<LoginOutcome>;
}

/**
 * What {@linkcode LoginLimiter.admit} decides before a credential check.
 *
 * @example
 * ```ts
 * import type { LoginAdmission } from "@tollgate/tollgate/auth";
 * const banned: LoginAdmission = { kind: "banned", untilMs: 900_000 };
 * console.log(banned.kind); // "banned"
 * ```
 */
export type LoginAdmission = { kind: "allow" } | { kind: "banned"; untilMs: number };

/**
 * What {@linkcode LoginLimiter.record} decides after a credential check.
 *
 * @example
 * ```ts
 * import type { LoginOutcome } from "@tollgate/tollgate/auth";
 * const wrongPassword: LoginOutcome = { delayMs: 1000, banned: false };
 * console.log(wrongPassword.delayMs); // 1000
 * ```
 */
export interface LoginOutcome {
  /** How long to pause before answering (ms); 0 after a success. */
  delayMs: number;
  /** The client is banned now: answer `421 4.7.0` and close. */
  banned: boolean;
}

/**
 * Password-guessing defence in three layers, Haraka- and fail2ban-style:
 *
 * - **Per client** (an IPv4 address, or an IPv6 /64; see `clientGroup`):
 *   `banAfterFailures` failures within `windowMs` ban the client for `banMs`.
 * - **Per account** (the user name, lower-cased): failures slow every further
 *   failure on that account, from any client, but never ban: an attacker
 *   guessing one account must not lock its owner out.
 * - **Globally**: `globalFailures` failures within the window make every
 *   failure pause `maxDelayMs`.
 *
 * The pause after a failure is `baseDelayMs × 2^(n−1)`, capped at
 * `maxDelayMs`, where `n` is the larger of the client's and the account's
 * recent failures (this one included). A success pauses 0 and forgives
 * nothing: failures age out of the window, so an attacker holding one valid
 * account cannot reset its counters by logging in between guesses.
 *
 * Memory is bounded: each layer tracks at most `maxTrackedKeys` keys (the
 * least recently touched is forgotten, its ban too), an account key is at
 * most 256 characters of the user name, and each key keeps only as many
 * failure times as a decision needs. Time is passed in.
 *
 * @example
 * ```ts
 * import { LoginLimiter } from "@tollgate/tollgate/auth";
 * const limiter = new LoginLimiter({ banAfterFailures: 2 });
 * console.log(limiter.admit("192.0.2.1", 0)); // { kind: "allow" }
 * console.log(limiter.record("192.0.2.1", "test@domain.de", false, 0));
 * // { delayMs: 1000, banned: false }
 * console.log(limiter.record("192.0.2.1", "test@domain.de", false, 5_000));
 * // { delayMs: 2000, banned: true }
 * console.log(limiter.admit("192.0.2.1", 6_000)); // { kind: "banned", untilMs: 905000 }
 * console.log(limiter.record("198.51.100.9", "test@domain.de", true, 6_000));
 * // { delayMs: 0, banned: false }
 * ```
 */
export class LoginLimiter implements LoginGate {
  #options: LoginLimiterOptions;
  #clientFailures: FailureWindow;
  #accountFailures: FailureWindow;
  #globalFailures: FailureWindow;
  /** Client group → end of its ban (ms); Map order is oldest ban first. */
  #bans = new Map<string, number>();

  /**
   * Creates a limiter; options left out take their defaults.
   *
   * @throws {RangeError} If a limit is not a positive integer, or `maxDelayMs < baseDelayMs`.
   */
  constructor(options: Partial<LoginLimiterOptions> = {}) {
    const merged = resolveLimiterOptions(options);
    this.#options = merged;
    const delaySteps = Math.ceil(Math.log2(merged.maxDelayMs / merged.baseDelayMs)) + 1;
    const perKey = { windowMs: merged.windowMs, maxKeys: merged.maxTrackedKeys };
    this.#clientFailures = new FailureWindow({
      ...perKey,
      maxCount: Math.max(delaySteps, merged.banAfterFailures),
    });
    this.#accountFailures = new FailureWindow({ ...perKey, maxCount: delaySteps });
    this.#globalFailures = new FailureWindow({
      windowMs: merged.windowMs,
      maxCount: merged.globalFailures,
      maxKeys: 1,
    });
  }

  /** Before checking credentials: whether this client may try at all. */
  admit(clientAddress: string, now: number): LoginAdmission {
    const untilMs = this.#banEnd(clientGroup(clientAddress), now);
    return untilMs === undefined ? { kind: "allow" } : { kind: "banned", untilMs };
  }

  /** After the check: how long to pause before answering, and whether the client is now banned. */
  record(clientAddress: string, username: string, ok: boolean, now: number): LoginOutcome {
    const client = clientGroup(clientAddress);
    if (ok) return { delayMs: 0, banned: this.#banEnd(client, now) !== undefined };
    const clientCount = this.#clientFailures.add(client, now);
    const account = accountKey(username);
    const accountCount = this.#accountFailures.add(account, now);
    const globalCount = this.#globalFailures.add(GLOBAL_KEY, now);
    const delayMs = failureDelayMs(this.#options, { clientCount, accountCount, globalCount });
    if (clientCount >= this.#options.banAfterFailures) this.#ban(client, now);
    return { delayMs, banned: this.#banEnd(client, now) !== undefined };
  }

  #ban(client: string, now: number): void {
    this.#clientFailures.clear(client);
    this.#bans.delete(client);
    this.#bans.set(client, now + this.#options.banMs);
    if (this.#bans.size > this.#options.maxTrackedKeys) {
      this.#bans.delete(this.#bans.keys().next().value!);
    }
  }

  #banEnd(client: string, now: number): number | undefined {
    const until = this.#bans.get(client);
    if (until === undefined) return undefined;
    if (until > now) return until;
    this.#bans.delete(client);
    return undefined;
  }
}
