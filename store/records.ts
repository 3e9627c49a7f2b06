/**
 * Builds the records a store keeps from what a caller passed, field by field,
 * so that no backend stores (or hands back) a caller's object, stray
 * properties, or `undefined`-valued optional fields.
 *
 * @module
 */
import type { Envelope, QueuedMessage, UserRecord } from "./types.ts";

/**
 * A fresh copy of a user record with only the fields of {@linkcode UserRecord}.
 *
 * @example
 * ```ts
 * import { copyUserRecord } from "./records.ts";
 * const user = copyUserRecord({ address: "a@example.net", passwordHash: "$x", updatedAt: 1 });
 * console.log("cramMd5Secret" in user); // false
 * ```
 */
export function copyUserRecord(user: UserRecord): UserRecord {
  const copy: UserRecord = {
    address: user.address,
    passwordHash: user.passwordHash,
    updatedAt: user.updatedAt,
  };
  if (user.cramMd5Secret !== undefined) copy.cramMd5Secret = user.cramMd5Secret;
  return copy;
}

/**
 * The queue's record of a committed message: the envelope plus `id` and `size`.
 *
 * @example
 * ```ts
 * import { toQueuedMessage } from "./records.ts";
 * const message = toQueuedMessage({
 *   from: "", to: ["b@example.net"], clientAddress: "192.0.2.1", helo: "c", receivedAt: 0,
 * }, { id: "018c2f5a1b0000000000", size: 12 });
 * console.log(message.size); // 12
 * ```
 */
export function toQueuedMessage(
  envelope: Envelope,
  stored: { id: string; size: number },
): QueuedMessage {
  const message: QueuedMessage = {
    id: stored.id,
    from: envelope.from,
    to: [...envelope.to],
    clientAddress: envelope.clientAddress,
    helo: envelope.helo,
    receivedAt: envelope.receivedAt,
    size: stored.size,
  };
  if (envelope.authUser !== undefined) message.authUser = envelope.authUser;
  return message;
}

/**
 * A fresh copy of a queued message (its recipient list included).
 *
 * @example
 * ```ts
 * import { copyQueuedMessage } from "./records.ts";
 * const original = {
 *   id: "018c2f5a1b0000000000", from: "", to: ["b@example.net"],
 *   clientAddress: "192.0.2.1", helo: "c", receivedAt: 0, size: 12,
 * };
 * console.log(copyQueuedMessage(original).to !== original.to); // true
 * ```
 */
export function copyQueuedMessage(message: QueuedMessage): QueuedMessage {
  return toQueuedMessage(message, message);
}
