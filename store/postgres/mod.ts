/**
 * The PostgreSQL backend: every store of `Stores` on one database, so that
 * several Tollgate nodes share domains, users, networks, routes, sender
 * grants and one durable queue. It needs no driver of its own: hand it a
 * {@linkcode SqlClient} (`@tollgate/tollgate/postgres` adapts `npm:postgres`).
 *
 * @example
 * ```ts ignore
 * import { createPostgresStores } from "@tollgate/tollgate/store/postgres";
 * import { openPostgresClient } from "@tollgate/tollgate/postgres";
 * const sql = openPostgresClient("postgres://tollgate@127.0.0.1:5432/tollgate", { max: 10 });
 * const { stores } = await createPostgresStores(sql);
 * console.log(await stores.domains.list());
 * await sql.close();
 * ```
 *
 * @module
 */
export * from "./group_commit.ts";
export * from "./leases.ts";
export * from "./login_attempts.ts";
export * from "./migrate.ts";
export * from "./notify.ts";
export * from "./queue.ts";
export * from "./routes.ts";
export * from "./schema.ts";
export * from "./sets.ts";
export * from "./spool.ts";
export type * from "./sql_port.ts";
export * from "./stores.ts";
export * from "./users.ts";
export * from "./dkim_keys.ts";
