/**
 * New mail, signalled to every node: each commit of queued messages sends a
 * `NOTIFY` on the schema's channel inside its transaction (PostgreSQL
 * delivers it only if, and once, the transaction commits), and every node
 * `LISTEN`s on a connection of its own and wakes its delivery worker.
 * Polling stays the fallback for a lost connection.
 *
 * @module
 */
import { qualify } from "./schema.ts";
import type { SqlClient } from "./sql_port.ts";

/**
 * The channel new mail in `schema` is announced on.
 *
 * @example
 * ```ts
 * import { newMailChannel } from "@tollgate/tollgate/store/postgres";
 * console.log(newMailChannel("tollgate")); // "tollgate_new_mail"
 * ```
 */
export function newMailChannel(schema: string): string {
  qualify(schema); // checks the name
  return `${schema}_new_mail`;
}

/**
 * Calls `onNewMail` whenever any node commits mail into `schema`'s queue;
 * resolves once listening, with a function that stops. Resolves with
 * `undefined` when `sql` cannot listen (the caller polls).
 *
 * @example
 * ```ts ignore
 * import { listenForNewMail } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const stop = await listenForNewMail(sql, "tollgate", () => console.log("new mail"));
 * await stop?.();
 * ```
 */
export async function listenForNewMail(
  sql: SqlClient,
  schema: string,
  onNewMail: () => void,
): Promise<(() => Promise<void>) | undefined> {
  return await sql.listen?.(newMailChannel(schema), onNewMail);
}
