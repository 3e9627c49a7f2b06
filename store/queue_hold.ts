/**
 * Holding a queued message: its delivery state keeps a `held` mark and a
 * `nextAttemptAt` later than any real time, so `due()` on every backend
 * passes it by without a backend knowing about holds; release restores when
 * it was due (or now, if that is later than now's retry would be).
 *
 * @module
 */
import type { DeliveryState } from "./types.ts";

/**
 * The `nextAttemptAt` of a held message: later than any real time (2^53 - 1 ms).
 *
 * @example
 * ```ts
 * import { HELD_NEXT_ATTEMPT_AT } from "@tollgate/tollgate/store";
 * console.log(HELD_NEXT_ATTEMPT_AT > Date.now()); // true
 * ```
 */
export const HELD_NEXT_ATTEMPT_AT: number = Number.MAX_SAFE_INTEGER;

/**
 * The state of `delivery` on hold (unchanged if it is held already).
 *
 * @example
 * ```ts
 * import { holdDelivery } from "@tollgate/tollgate/store";
 * const held = holdDelivery({ nextAttemptAt: 5, recipients: [] });
 * console.log(held.held, held.nextAttemptAt === Number.MAX_SAFE_INTEGER); // { dueAt: 5 } true
 * ```
 */
export function holdDelivery(delivery: DeliveryState): DeliveryState {
  if (delivery.held) return delivery;
  return {
    ...delivery,
    nextAttemptAt: HELD_NEXT_ATTEMPT_AT,
    held: { dueAt: delivery.nextAttemptAt },
  };
}

/**
 * The state of `delivery` released from hold: due when it was due before the
 * hold, or `dueAt` if given ("release and retry now"). Unchanged if not held.
 *
 * @example
 * ```ts
 * import { holdDelivery, releaseDelivery } from "@tollgate/tollgate/store";
 * const released = releaseDelivery(holdDelivery({ nextAttemptAt: 5, recipients: [] }));
 * console.log(released); // { nextAttemptAt: 5, recipients: [] }
 * ```
 */
export function releaseDelivery(delivery: DeliveryState, dueAt?: number): DeliveryState {
  if (!delivery.held) return delivery;
  const { held, ...rest } = delivery;
  return { ...rest, nextAttemptAt: dueAt ?? held.dueAt };
}
