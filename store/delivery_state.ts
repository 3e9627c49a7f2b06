/**
 * What delivery has done with a queued message: per recipient, and when it is due next.
 *
 * @module
 */

/**
 * Where delivery to one recipient of a queued message stands.
 *
 * @example
 * ```ts
 * import type { RecipientStatus } from "@tollgate/tollgate/store";
 * const done: RecipientStatus[] = ["delivered", "bounced"];
 * console.log(done.includes("queued")); // false
 * ```
 */
export type RecipientStatus = "queued" | "delivered" | "bounced";

/**
 * The delivery state of one recipient.
 *
 * @example
 * ```ts
 * import type { RecipientState } from "@tollgate/tollgate/store";
 * const state: RecipientState = {
 *   address: "friend@example.net", status: "queued", attempts: 1, lastReply: "451 4.3.0 try later",
 * };
 * console.log(state.attempts); // 1
 * ```
 */
export interface RecipientState {
  /** The recipient, as in the envelope. */
  address: string;
  /** `queued` until it is delivered or bounced (a 5xx, or the queue lifetime ran out). */
  status: RecipientStatus;
  /** How many delivery attempts were made for this recipient. */
  attempts: number;
  /** The last reply or failure reason (`451 4.3.0 try later`, `connection refused`). */
  lastReply?: string;
  /** When the last attempt ended (ms since epoch). */
  lastAttemptAt?: number;
}

/**
 * What delivery has done with a queued message so far. A commit starts it
 * with every recipient `queued`, no attempts, and `nextAttemptAt` equal to
 * `receivedAt`; the delivery worker replaces it after each attempt.
 *
 * @example
 * ```ts
 * import type { DeliveryState } from "@tollgate/tollgate/store";
 * const state: DeliveryState = {
 *   nextAttemptAt: 60_000, recipients: [{ address: "friend@example.net", status: "queued", attempts: 1 }],
 * };
 * console.log(state.recipients[0].status); // "queued"
 * ```
 */
export interface DeliveryState {
  /** When the message is due for its next attempt (ms since epoch). */
  nextAttemptAt: number;
  /** One entry per envelope recipient, in `to` order. */
  recipients: RecipientState[];
  /**
   * Present while the message is on hold: `nextAttemptAt` is then
   * `Number.MAX_SAFE_INTEGER` (so `due()` never finds it) and `dueAt` is
   * when it was due before, restored on release.
   */
  held?: { dueAt: number };
}
