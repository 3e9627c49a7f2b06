/**
 * How one delivery attempt changes a queued message's state: each attempted
 * recipient is delivered, bounced (a permanent failure) or stays queued (a
 * temporary one) for the next retry; when the queue lifetime is over, every
 * recipient still queued bounces. Pure: the caller passes the time.
 *
 * @module
 */
import type { DeliveryState, QueuedMessage, RecipientState } from "../store/types.ts";
import { nextAttemptAt, type RetryPolicy } from "./retry_policy.ts";

/**
 * The result of one attempt for one recipient: `delivered` (2xx), `temporary`
 * (4xx, or the connection failed), `permanent` (5xx, or the destination
 * cannot exist).
 *
 * @example
 * ```ts
 * import type { DeliveryOutcome } from "@tollgate/tollgate/delivery";
 * const outcome: DeliveryOutcome = {
 *   address: "b@example.org", status: "temporary", reply: "451 4.7.1 try again later",
 *   remoteMta: "mx.example.org",
 * };
 * console.log(outcome.status); // "temporary"
 * ```
 */
export interface DeliveryOutcome {
  /** The recipient, as in the envelope. */
  address: string;
  /** What happened. */
  status: "delivered" | "temporary" | "permanent";
  /** The server's reply, or why there was none (`connect to 192.0.2.1:25: refused`). */
  reply: string;
  /** The host that gave the reply, for the bounce's `Remote-MTA`. */
  remoteMta?: string;
}

/**
 * A recipient that failed for good in this round, to be named in a bounce.
 *
 * @example
 * ```ts
 * import type { FailedRecipient } from "@tollgate/tollgate/delivery";
 * const failed: FailedRecipient = {
 *   address: "b@example.org", reply: "451 4.7.1 try again later", expired: true,
 * };
 * console.log(failed.expired ? "lifetime over" : "refused"); // "lifetime over"
 * ```
 */
export interface FailedRecipient {
  /** The recipient. */
  address: string;
  /** The last reply or reason. */
  reply: string;
  /** The host that gave the reply, if known. */
  remoteMta?: string;
  /** True when the lifetime ran out (the last failure was temporary). */
  expired: boolean;
}

/**
 * What an attempt did to a message.
 *
 * @example
 * ```ts
 * import { type AppliedOutcomes, applyOutcomes } from "@tollgate/tollgate/delivery";
 * const recipients = [{ address: "a@example.net", status: "queued" as const, attempts: 0 }];
 * const delivery = { nextAttemptAt: 0, recipients };
 * const applied: AppliedOutcomes = applyOutcomes({ receivedAt: 0, delivery }, {
 *   outcomes: [{ address: "a@example.net", status: "permanent", reply: "550 5.1.1 no such user" }],
 *   now: 1, policy: { schedule: [60_000], lifetimeMs: 3_600_000 },
 * });
 * console.log(applied.done, applied.failed.length); // true 1
 * ```
 */
export interface AppliedOutcomes {
  /** The new state to store. */
  delivery: DeliveryState;
  /** Recipients that bounced in this round, for one DSN to the sender. */
  failed: FailedRecipient[];
  /** True when no recipient is queued any more: the message can be removed. */
  done: boolean;
}

/**
 * What {@linkcode applyOutcomes} needs besides the message.
 *
 * @example
 * ```ts
 * import type { AttemptRound } from "@tollgate/tollgate/delivery";
 * const round: AttemptRound = {
 *   outcomes: [{ address: "a@example.net", status: "delivered", reply: "250 ok" }],
 *   now: Date.now(), policy: { schedule: [60_000, 300_000], lifetimeMs: 7 * 86_400_000 },
 * };
 * console.log(round.outcomes[0].status); // "delivered"
 * ```
 */
export interface AttemptRound {
  /** The outcomes of this attempt, by recipient address. */
  outcomes: readonly DeliveryOutcome[];
  /** When the attempt ended (ms since epoch). */
  now: number;
  /** The retry schedule and queue lifetime. */
  policy: RetryPolicy;
}

/**
 * Applies one attempt's outcomes to a message's delivery state. A queued
 * recipient without an outcome is left as it was. The next attempt is
 * scheduled from the most attempts any queued recipient has had.
 *
 * @example
 * ```ts
 * import { applyOutcomes } from "./delivery_state.ts";
 * const result = applyOutcomes({
 *   receivedAt: 0,
 *   delivery: { nextAttemptAt: 0, recipients: [
 *     { address: "a@example.net", status: "queued", attempts: 0 },
 *     { address: "b@example.net", status: "queued", attempts: 0 },
 *   ] },
 * }, {
 *   outcomes: [
 *     { address: "a@example.net", status: "delivered", reply: "250 ok" },
 *     { address: "b@example.net", status: "temporary", reply: "451 later" },
 *   ],
 *   now: 1000,
 *   policy: { schedule: [60_000], lifetimeMs: 86_400_000 },
 * });
 * console.log(result.delivery.nextAttemptAt, result.done); // 61000 false
 * ```
 */
export function applyOutcomes(
  message: Pick<QueuedMessage, "receivedAt"> & { delivery: DeliveryState },
  round: AttemptRound,
): AppliedOutcomes {
  const byAddress = new Map(round.outcomes.map((outcome) => [outcome.address, outcome]));
  const failed: FailedRecipient[] = [];
  const recipients = message.delivery.recipients.map((state): RecipientState => {
    const outcome = byAddress.get(state.address);
    if (state.status !== "queued" || outcome === undefined) return { ...state };
    const attempted: RecipientState = {
      ...state,
      attempts: state.attempts + 1,
      lastReply: outcome.reply,
      lastAttemptAt: round.now,
    };
    if (outcome.status === "delivered") return { ...attempted, status: "delivered" };
    if (outcome.status === "permanent") {
      failed.push(failure(outcome, false));
      return { ...attempted, status: "bounced" };
    }
    return attempted;
  });

  const queued = recipients.filter((state) => state.status === "queued");
  if (queued.length === 0) {
    return { delivery: { nextAttemptAt: round.now, recipients }, failed, done: true };
  }
  const next = nextAttemptAt({
    failedAttempts: Math.max(...queued.map((state) => state.attempts)),
    receivedAt: message.receivedAt,
    now: round.now,
  }, round.policy);
  if (next.kind === "retry") {
    return { delivery: { nextAttemptAt: next.at, recipients }, failed, done: false };
  }
  const expired = recipients.map((state): RecipientState => {
    if (state.status !== "queued") return state;
    const reply = state.lastReply ?? "no delivery attempt was made";
    const last = byAddress.get(state.address);
    failed.push(failure({ address: state.address, reply, remoteMta: last?.remoteMta }, true));
    return { ...state, status: "bounced" };
  });
  return { delivery: { nextAttemptAt: round.now, recipients: expired }, failed, done: true };
}

function failure(
  from: { address: string; reply: string; remoteMta?: string },
  expired: boolean,
): FailedRecipient {
  const result: FailedRecipient = { address: from.address, reply: from.reply, expired };
  if (from.remoteMta !== undefined) result.remoteMta = from.remoteMta;
  return result;
}
