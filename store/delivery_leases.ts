/**
 * Delivery leases: how several nodes share one queue without delivering a
 * message twice at the same time.
 *
 * @module
 */
import type { DeliveryState } from "./delivery_state.ts";
import type { DueMessage } from "./message_queue.ts";

/**
 * A due message that one node has claimed for delivery until `leaseUntil`.
 *
 * @example
 * ```ts
 * import type { ClaimedMessage, DueMessage } from "@tollgate/tollgate/store";
 * const claim = (due: DueMessage, leaseMs: number, now: number): ClaimedMessage =>
 *   ({ ...due, leaseUntil: now + leaseMs });
 * console.log(typeof claim); // "function"
 * ```
 */
export interface ClaimedMessage extends DueMessage {
  /** The lease ends then (ms since epoch); after it, another node may claim the message. */
  leaseUntil: number;
}

/**
 * What a node did with a claimed message, handed back with the lease.
 *
 * @example
 * ```ts
 * import type { LeaseOutcome } from "@tollgate/tollgate/store";
 * const delivered: LeaseOutcome = { kind: "remove" };
 * console.log(delivered.kind); // "remove"
 * ```
 */
export type LeaseOutcome =
  | { kind: "update"; delivery: DeliveryState }
  | { kind: "remove" };

/**
 * Delivery leases: how several nodes share one queue without delivering a
 * message twice at the same time. A node claims due messages for a while,
 * renews the lease while a delivery runs longer, and releases it with the
 * outcome. A node that dies stops renewing; its leases run out and another
 * node claims the messages (delivery is at-least-once: a node that dies after
 * delivering but before releasing causes one duplicate).
 *
 * A separate interface from {@linkcode MessageQueue}, so the single-node
 * backends need not implement it; `due()` ignores leases.
 *
 * @example
 * ```ts ignore
 * import type { DeliveryLeases } from "@tollgate/tollgate/store";
 * declare const leases: DeliveryLeases; // a PostgresMessageQueue
 * for (const claimed of await leases.claim("node-a", Date.now(), { limit: 10, leaseMs: 600_000 })) {
 *   await leases.release(claimed.message.id, "node-a", { kind: "remove" });
 * }
 * ```
 */
export interface DeliveryLeases {
  /**
   * Claims up to `limit` due messages that nobody holds (no lease, or one that
   * ended at or before `now`), earliest `nextAttemptAt` first, for `leaseMs`.
   * Messages another node is claiming at this moment are skipped, not waited for.
   */
  claim(owner: string, now: number, options: { limit: number; leaseMs: number }): Promise<
    ClaimedMessage[]
  >;
  /** Extends `owner`'s lease on `id` to `until`; false when `owner` no longer holds it. */
  renew(id: string, owner: string, until: number): Promise<boolean>;
  /**
   * Ends `owner`'s lease on `id` and applies the outcome (a new delivery state,
   * or removal of the message and its body); false, and nothing applied, when
   * `owner` no longer holds it (its lease ran out and another node claimed it).
   */
  release(id: string, owner: string, outcome: LeaseOutcome): Promise<boolean>;
}
