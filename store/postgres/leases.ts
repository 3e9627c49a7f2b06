/**
 * Delivery leases on PostgreSQL (see `DeliveryLeases` in `store/types.ts`):
 * `claim` picks due, unleased rows with `FOR UPDATE SKIP LOCKED` through the
 * `(next_attempt_at, id)` index and stamps `leased_by`/`lease_until` in the
 * same statement, so two nodes claiming at once get disjoint messages.
 *
 * Times are the callers' clocks (ms since epoch), as everywhere in the queue:
 * keep the nodes' clocks in sync (NTP), and the lease far longer than their skew.
 *
 * @module
 */
import { copyDelivery } from "../delivery_records.ts";
import { assertPageLimit } from "../paging.ts";
import type { ClaimedMessage, LeaseOutcome } from "../types.ts";
import { deliveryFromText, MESSAGE_COLUMNS, messageFromRow, numberFrom } from "./rows.ts";
import type { SqlClient } from "./sql_port.ts";

/**
 * Claims up to `limit` due messages nobody holds, for `owner` until `now + leaseMs`.
 *
 * @example
 * ```ts ignore
 * import { claimDue } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const claimed = await claimDue(sql, '"tollgate"', "node-a", Date.now(), {
 *   limit: 10,
 *   leaseMs: 600_000,
 * });
 * ```
 */
export async function claimDue(
  sql: SqlClient,
  s: string,
  owner: string,
  now: number,
  options: { limit: number; leaseMs: number },
): Promise<ClaimedMessage[]> {
  assertPageLimit(options.limit);
  if (!Number.isSafeInteger(options.leaseMs) || options.leaseMs < 1) {
    throw new RangeError(
      `Cannot claim: leaseMs must be a positive integer, got ${options.leaseMs}`,
    );
  }
  const { rows } = await sql.query(
    `WITH picked AS (
       SELECT id FROM ${s}.queue_messages
       WHERE next_attempt_at <= $1::bigint AND (lease_until IS NULL OR lease_until <= $1::bigint)
       ORDER BY next_attempt_at, id LIMIT $2::bigint
       FOR UPDATE SKIP LOCKED)
     UPDATE ${s}.queue_messages m SET leased_by = $3::text, lease_until = $4::bigint
     FROM picked WHERE m.id = picked.id
     RETURNING ${MESSAGE_COLUMNS.replace(/(^|, )(\w+)/g, "$1m.$2")},
       m.delivery::text AS delivery, m.next_attempt_at, m.lease_until`,
    [now, options.limit, owner, now + options.leaseMs],
  );
  return rows
    .map((row) => ({
      message: messageFromRow(row),
      delivery: deliveryFromText(row.delivery),
      leaseUntil: numberFrom(row.lease_until),
    }))
    .sort((a, b) =>
      a.delivery.nextAttemptAt - b.delivery.nextAttemptAt ||
      (a.message.id < b.message.id ? -1 : 1)
    );
}

/**
 * Extends `owner`'s lease on `id` to `until`; false when it is not `owner`'s.
 *
 * @example
 * ```ts ignore
 * import { renewLease } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * console.log(await renewLease(sql, '"tollgate"', "018c2f5a1b0000000000", "node-a", 1)); // false
 * ```
 */
export async function renewLease(
  sql: SqlClient,
  s: string,
  id: string,
  owner: string,
  until: number,
): Promise<boolean> {
  const result = await sql.query(
    `UPDATE ${s}.queue_messages SET lease_until = $3::bigint
     WHERE id = $1::text AND leased_by = $2::text`,
    [id, owner, until],
  );
  return result.count > 0;
}

/**
 * Ends `owner`'s lease on `id` with `outcome`, in one transaction; false, with
 * nothing changed, when the lease is not `owner`'s any more.
 *
 * @example
 * ```ts ignore
 * import { releaseLease } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * await releaseLease(sql, '"tollgate"', "018c2f5a1b0000000000", "node-a", { kind: "remove" });
 * ```
 */
export function releaseLease(
  sql: SqlClient,
  s: string,
  id: string,
  owner: string,
  outcome: LeaseOutcome,
): Promise<boolean> {
  if (outcome.kind === "update") {
    const delivery = copyDelivery(outcome.delivery);
    return sql.query(
      `UPDATE ${s}.queue_messages SET delivery = $3::text::jsonb, next_attempt_at = $4::bigint,
         leased_by = NULL, lease_until = NULL
       WHERE id = $1::text AND leased_by = $2::text`,
      [id, owner, JSON.stringify(delivery), delivery.nextAttemptAt],
    ).then((result) => result.count > 0);
  }
  return sql.transaction(async (tx) => {
    const removed = await tx.query(
      `DELETE FROM ${s}.queue_messages WHERE id = $1::text AND leased_by = $2::text`,
      [id, owner],
    );
    if (removed.count === 0) return false;
    await tx.query(`DELETE FROM ${s}.queue_chunks WHERE message_id = $1::text`, [id]);
    return true;
  });
}
