/**
 * Delivery-state records: the state a commit starts with, and field-by-field
 * copies, so that no backend keeps (or hands back) a caller's object.
 *
 * @module
 */
import type { DeliveryState, QueuedMessage, RecipientState } from "./types.ts";

/**
 * The delivery state of a freshly committed message: every recipient
 * `queued` with no attempts, due at once (`nextAttemptAt` is `receivedAt`).
 *
 * @example
 * ```ts
 * import { initialDelivery } from "./delivery_records.ts";
 * const state = initialDelivery({ to: ["b@example.net"], receivedAt: 5 });
 * console.log(state.nextAttemptAt, state.recipients[0].status); // 5 "queued"
 * ```
 */
export function initialDelivery(message: Pick<QueuedMessage, "to" | "receivedAt">): DeliveryState {
  return {
    nextAttemptAt: message.receivedAt,
    recipients: message.to.map((address) => ({ address, status: "queued", attempts: 0 })),
  };
}

/**
 * A fresh copy of a delivery state with only its known fields.
 *
 * @example
 * ```ts
 * import { copyDelivery } from "./delivery_records.ts";
 * const original = { nextAttemptAt: 1, recipients: [
 *   { address: "b@example.net", status: "queued" as const, attempts: 0, lastReply: undefined },
 * ] };
 * console.log("lastReply" in copyDelivery(original).recipients[0]); // false
 * ```
 */
export function copyDelivery(delivery: DeliveryState): DeliveryState {
  const copy: DeliveryState = {
    nextAttemptAt: delivery.nextAttemptAt,
    recipients: delivery.recipients.map(copyRecipientState),
  };
  if (delivery.held) copy.held = { dueAt: delivery.held.dueAt };
  return copy;
}

function copyRecipientState(state: RecipientState): RecipientState {
  const copy: RecipientState = {
    address: state.address,
    status: state.status,
    attempts: state.attempts,
  };
  if (state.lastReply !== undefined) copy.lastReply = state.lastReply;
  if (state.lastAttemptAt !== undefined) copy.lastAttemptAt = state.lastAttemptAt;
  return copy;
}
