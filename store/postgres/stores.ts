/**
 * Opens every store on one PostgreSQL database: migrates the schema (under
 * an advisory lock), sweeps what crashed writers left, and builds the stores.
 *
 * @module
 */
import { PostgresLoginAttemptStore } from "./login_attempts.ts";
import type { Stores } from "../types.ts";
import { migrate } from "./migrate.ts";
import { PostgresMessageQueue, type PostgresQueueOptions } from "./queue.ts";
import { PostgresRouteStore } from "./routes.ts";
import { qualify } from "./schema.ts";
import { PostgresDkimKeyStore } from "./dkim_keys.ts";
import { PostgresDomainStore, PostgresNetworkStore, PostgresSenderStore } from "./sets.ts";
import { sweepAbandonedChunks } from "./spool.ts";
import type { SqlClient } from "./sql_port.ts";
import { PostgresUserStore } from "./users.ts";

/**
 * Options for {@linkcode createPostgresStores}.
 *
 * @example
 * ```ts
 * import type { PostgresStoresOptions } from "@tollgate/tollgate/store/postgres";
 * const options: PostgresStoresOptions = {
 *   schema: "mail", now: Date.now, abandonedAfterMs: 3_600_000,
 * };
 * console.log(options.schema); // "mail"
 * ```
 */
export interface PostgresStoresOptions extends PostgresQueueOptions {
  /** The PostgreSQL schema that holds every table; default `tollgate`. */
  schema?: string;
  /** The clock (ms since epoch) for queue ids and chunk times; default `Date.now`. */
  now?: () => number;
  /**
   * Chunks of uncommitted messages whose newest chunk is older than this are
   * deleted at open (a writer crashed); default one hour, longer than any
   * DATA phase the server allows.
   */
  abandonedAfterMs?: number;
}

/**
 * The stores on PostgreSQL, and what opening found.
 *
 * @example
 * ```ts
 * import type { PostgresStores } from "@tollgate/tollgate/store/postgres";
 * const opened = ({ migrated, abandonedSpools }: PostgresStores): string =>
 *   `migrated ${JSON.stringify(migrated)}, ${abandonedSpools} abandoned spools deleted`;
 * // What `opened(await createPostgresStores(sql))` says on a new database:
 * // "migrated [1,2], 0 abandoned spools deleted"
 * ```
 */
export interface PostgresStores {
  /** Every store. */
  stores: Stores & { queue: PostgresMessageQueue; loginAttempts: PostgresLoginAttemptStore };
  /** The migration versions this open applied (empty when another node had). */
  migrated: number[];
  /** How many crashed writers' bodies were deleted. */
  abandonedSpools: number;
}

/**
 * Migrates `schema` and builds every store on `sql`. Closing the pool is the
 * caller's: the stores own nothing but SQL.
 *
 * @example
 * ```ts ignore
 * import { createPostgresStores } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const { stores } = await createPostgresStores(sql, { schema: "tollgate" });
 * await stores.domains.add("example.net");
 * ```
 */
export async function createPostgresStores(
  sql: SqlClient,
  options: PostgresStoresOptions = {},
): Promise<PostgresStores> {
  const schema = options.schema ?? "tollgate";
  const now = options.now ?? (() => Date.now());
  const { applied } = await migrate(sql, schema);
  const abandonedSpools = await sweepAbandonedChunks(
    sql,
    qualify(schema),
    now() - (options.abandonedAfterMs ?? 3_600_000),
  );
  return {
    stores: {
      domains: new PostgresDomainStore(sql, schema),
      users: new PostgresUserStore(sql, schema),
      networks: new PostgresNetworkStore(sql, schema),
      queue: new PostgresMessageQueue(sql, schema, now, options),
      routes: new PostgresRouteStore(sql, schema),
      senders: new PostgresSenderStore(sql, schema),
      dkim: new PostgresDkimKeyStore(sql, schema),
      loginAttempts: new PostgresLoginAttemptStore(sql, schema),
    },
    migrated: applied,
    abandonedSpools,
  };
}
