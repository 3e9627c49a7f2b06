/**
 * When the queue tries a message again, and when it gives up.
 *
 * A schedule is a list of intervals, `1m,5m,15m,1h,4h`: after the first
 * failed attempt the message waits 1 minute, after the second 5, and so on;
 * the last interval repeats. A message is kept until its lifetime (qmail's
 * `queuelifetime`, 7 days by default) has passed since it was received: the
 * last retry is moved to that moment, and a temporary failure after it means
 * the message bounces.
 *
 * @module
 */

/**
 * The schedule used when `TOLLGATE_QUEUE_RETRY` is not set.
 *
 * @example
 * ```ts
 * import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from "@tollgate/tollgate/delivery";
 * console.log(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE));
 * // [60000, 300000, 900000, 3600000, 14400000]
 * ```
 */
export const DEFAULT_RETRY_SCHEDULE = "1m,5m,15m,1h,4h";
/**
 * The lifetime used when `TOLLGATE_QUEUE_LIFETIME` is not set: 7 days, as qmail.
 *
 * @example
 * ```ts
 * import { DEFAULT_QUEUE_LIFETIME, parseDuration } from "@tollgate/tollgate/delivery";
 * const configured: string | undefined = undefined; // TOLLGATE_QUEUE_LIFETIME, if set
 * console.log(parseDuration(configured ?? DEFAULT_QUEUE_LIFETIME)); // 604800000 (7 days)
 * ```
 */
export const DEFAULT_QUEUE_LIFETIME = "7d";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * How the queue retries: intervals in ms (the last repeats) and the lifetime in ms.
 *
 * @example
 * ```ts
 * import { nextAttemptAt, parseDuration, parseRetrySchedule } from "@tollgate/tollgate/delivery";
 * import type { RetryPolicy } from "@tollgate/tollgate/delivery";
 * const policy: RetryPolicy = {
 *   schedule: parseRetrySchedule("1m,5m"), lifetimeMs: parseDuration("1d"),
 * };
 * console.log(nextAttemptAt({ failedAttempts: 2, receivedAt: 0, now: 60_000 }, policy));
 * // { kind: "retry", at: 360000 }
 * ```
 */
export interface RetryPolicy {
  /** Wait `schedule[n - 1]` after the `n`-th failed attempt; the last entry repeats. */
  schedule: readonly number[];
  /** How long after receipt a message may stay queued. */
  lifetimeMs: number;
}

/**
 * Parses a duration: a whole number followed by `s`, `m`, `h` or `d`
 * (`90s`, `15m`, `4h`, `7d`); a bare number counts seconds, as qmail's
 * `queuelifetime` does. Zero is refused.
 *
 * @throws {RangeError} If the text is not such a duration.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./retry_policy.ts";
 * console.log(parseDuration("15m")); // 900000
 * console.log(parseDuration("604800")); // 604800000
 * ```
 */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text.trim().toLowerCase());
  if (!match) {
    throw new RangeError(
      `Cannot parse duration: "${text}" is not a whole number with s, m, h or d`,
    );
  }
  const value = Number(match[1]) * UNIT_MS[match[2] || "s"];
  if (value === 0) throw new RangeError(`Cannot parse duration: "${text}" is zero`);
  return value;
}

/**
 * Parses a retry schedule: durations separated by commas.
 *
 * @throws {RangeError} If the list is empty or an entry is not a duration.
 *
 * @example
 * ```ts
 * import { parseRetrySchedule } from "./retry_policy.ts";
 * console.log(parseRetrySchedule("1m, 5m,1h")); // [60000, 300000, 3600000]
 * ```
 */
export function parseRetrySchedule(text: string): number[] {
  if (text.trim() === "") throw new RangeError("Cannot parse retry schedule: it is empty");
  return text.split(",").map((entry) => {
    try {
      return parseDuration(entry);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new RangeError(
        error.message.replace(/^Cannot parse duration/, "Cannot parse retry schedule"),
      );
    }
  });
}

/**
 * What to do after a temporary failure.
 *
 * @example
 * ```ts
 * import { type NextAttempt, nextAttemptAt } from "@tollgate/tollgate/delivery";
 * const next: NextAttempt = nextAttemptAt(
 *   { failedAttempts: 3, receivedAt: 0, now: 3_600_000 },
 *   { schedule: [60_000], lifetimeMs: 3_600_000 },
 * );
 * console.log(next); // { kind: "give-up" }
 * ```
 */
export type NextAttempt =
  | { kind: "retry"; at: number }
  | { kind: "give-up" };

/**
 * What {@linkcode nextAttemptAt} needs to know about the message.
 *
 * @example
 * ```ts
 * import { type AttemptHistory, nextAttemptAt } from "@tollgate/tollgate/delivery";
 * const history: AttemptHistory = { failedAttempts: 1, receivedAt: 0, now: 1000 };
 * console.log(nextAttemptAt(history, { schedule: [60_000], lifetimeMs: 3_600_000 }));
 * // { kind: "retry", at: 61000 }
 * ```
 */
export interface AttemptHistory {
  /** Failed attempts so far, including the one that just failed (at least 1). */
  failedAttempts: number;
  /** When the message was received (ms since epoch): its lifetime counts from here. */
  receivedAt: number;
  /** Now (ms since epoch): when the attempt failed. */
  now: number;
}

/**
 * After a temporary failure: when to try again, or to give up because the
 * lifetime is over. The next attempt is `now` plus the schedule's interval
 * for this many failures, but never later than the end of the lifetime, so
 * the last try happens right at the end.
 *
 * @example
 * ```ts
 * import { nextAttemptAt } from "./retry_policy.ts";
 * const policy = { schedule: [60_000, 300_000], lifetimeMs: 3_600_000 };
 * console.log(nextAttemptAt({ failedAttempts: 1, receivedAt: 0, now: 1000 }, policy));
 * // { kind: "retry", at: 61000 }
 * console.log(nextAttemptAt({ failedAttempts: 9, receivedAt: 0, now: 3_500_000 }, policy));
 * // { kind: "retry", at: 3600000 }
 * console.log(nextAttemptAt({ failedAttempts: 10, receivedAt: 0, now: 3_600_000 }, policy));
 * // { kind: "give-up" }
 * ```
 */
export function nextAttemptAt(history: AttemptHistory, policy: RetryPolicy): NextAttempt {
  if (policy.schedule.length === 0) {
    throw new RangeError("Cannot schedule a retry: the schedule is empty");
  }
  const deadline = history.receivedAt + policy.lifetimeMs;
  if (history.now >= deadline) return { kind: "give-up" };
  const step = Math.min(Math.max(history.failedAttempts, 1), policy.schedule.length) - 1;
  return { kind: "retry", at: Math.min(history.now + policy.schedule[step], deadline) };
}
