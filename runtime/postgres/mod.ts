/**
 * PostgreSQL for Tollgate: the `npm:postgres` driver adapter and
 * {@linkcode openPostgresStores}, which opens every store from a URL. The
 * backend itself, driver-free, is `@tollgate/tollgate/store/postgres`.
 *
 * @example
 * ```ts ignore
 * import { openPostgresStores } from "@tollgate/tollgate/postgres";
 * const opened = await openPostgresStores("postgres://tollgate@127.0.0.1:5432/tollgate");
 * console.log(await opened.stores.domains.list());
 * await opened.close();
 * ```
 *
 * @module
 */
export * from "./client.ts";
export * from "./stores.ts";
