/**
 * Row mapping: PostgreSQL rows to Tollgate's records and back, with no
 * database in sight. `bigint` columns may come as strings or numbers and
 * `jsonb` columns are selected as `::text`, so any driver's rows map the same.
 *
 * @module
 */
import { copyDelivery } from "../delivery_records.ts";
import { toQueuedMessage } from "../records.ts";
import { copyRoute } from "../route_record.ts";
import type { DeliveryState, QueuedMessage, Route, UserRecord } from "../types.ts";
import type { SqlRow } from "./sql_port.ts";

/** The columns {@linkcode messageFromRow} reads, for `SELECT` lists. */
export const MESSAGE_COLUMNS =
  "id, sender, recipients::text AS recipients, auth_user, client_address, helo, " +
  "received_at, size";

/**
 * A number from a `bigint` or `integer` column (a string or a number, by driver).
 *
 * @example
 * ```ts
 * import { numberFrom } from "./rows.ts";
 * console.log(numberFrom("1700000000000")); // 1700000000000
 * ```
 */
export function numberFrom(value: unknown): number {
  const number = typeof value === "number" ? value : Number(value);
  if (typeof value !== "number" && typeof value !== "string" && typeof value !== "bigint") {
    throw new TypeError(`Cannot read PostgreSQL row: expected a number, got ${typeof value}`);
  }
  if (!Number.isSafeInteger(number)) {
    throw new RangeError(`Cannot read PostgreSQL row: ${String(value)} is no safe integer`);
  }
  return number;
}

function text(value: unknown, column: string): string {
  if (typeof value !== "string") {
    throw new TypeError(`Cannot read PostgreSQL row: ${column} is not text`);
  }
  return value;
}

/**
 * A user record from a `users` row.
 *
 * @example
 * ```ts
 * import { userFromRow } from "./rows.ts";
 * const row = { address: "a@x.de", password_hash: "$h", cram_md5_secret: null, updated_at: "5" };
 * console.log(userFromRow(row)); // { address: "a@x.de", passwordHash: "$h", updatedAt: 5 }
 * ```
 */
export function userFromRow(row: SqlRow): UserRecord {
  const user: UserRecord = {
    address: text(row.address, "address"),
    passwordHash: text(row.password_hash, "password_hash"),
    updatedAt: numberFrom(row.updated_at),
  };
  if (row.cram_md5_secret !== null && row.cram_md5_secret !== undefined) {
    user.cramMd5Secret = text(row.cram_md5_secret, "cram_md5_secret");
  }
  return user;
}

/**
 * A queued message from a `queue_messages` row selected with {@linkcode MESSAGE_COLUMNS}.
 *
 * @example
 * ```ts
 * import { messageFromRow } from "./rows.ts";
 * const message = messageFromRow({
 *   id: "018c2f5a1b0000000000", sender: "", recipients: '["b@x.de"]', auth_user: null,
 *   client_address: "192.0.2.1", helo: "c", received_at: "0", size: "12",
 * });
 * console.log(message.to, "authUser" in message); // ["b@x.de"] false
 * ```
 */
export function messageFromRow(row: SqlRow): QueuedMessage {
  const to = JSON.parse(text(row.recipients, "recipients"));
  if (!Array.isArray(to) || !to.every((address) => typeof address === "string")) {
    throw new TypeError("Cannot read PostgreSQL row: recipients is not a list of addresses");
  }
  const envelope = {
    from: text(row.sender, "sender"),
    to,
    clientAddress: text(row.client_address, "client_address"),
    helo: text(row.helo, "helo"),
    receivedAt: numberFrom(row.received_at),
    ...(row.auth_user === null || row.auth_user === undefined
      ? {}
      : { authUser: text(row.auth_user, "auth_user") }),
  };
  return toQueuedMessage(envelope, { id: text(row.id, "id"), size: numberFrom(row.size) });
}

/**
 * A delivery state from a `delivery::text` column.
 *
 * @example
 * ```ts
 * import { deliveryFromText } from "./rows.ts";
 * const state = deliveryFromText('{"nextAttemptAt":5,"recipients":[]}');
 * console.log(state.nextAttemptAt); // 5
 * ```
 */
export function deliveryFromText(value: unknown): DeliveryState {
  return copyDelivery(JSON.parse(text(value, "delivery")) as DeliveryState);
}

/**
 * A route from a `route::text` column.
 *
 * @example
 * ```ts
 * import { routeFromText } from "./rows.ts";
 * console.log(routeFromText('{"pattern":"*","tls":"none"}')); // { pattern: "*", tls: "none" }
 * ```
 */
export function routeFromText(value: unknown): Route {
  return copyRoute(JSON.parse(text(value, "route")) as Route);
}

/**
 * Bytes from a `bytea` column, copied into a plain `Uint8Array` (a driver may
 * hand out a Node `Buffer` over a shared pool).
 *
 * @example
 * ```ts
 * import { bytesFrom } from "./rows.ts";
 * console.log(bytesFrom(new Uint8Array([1, 2]))); // Uint8Array(2) [ 1, 2 ]
 * ```
 */
export function bytesFrom(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError("Cannot read PostgreSQL row: chunk data is not bytes");
  }
  const copy = new Uint8Array(value.byteLength);
  copy.set(value);
  return copy;
}
