/**
 * Opens the PostgreSQL stores from a URL: the driver pool plus the backend.
 *
 * @module
 */
import {
  createPostgresStores,
  type PostgresStores,
  type PostgresStoresOptions,
} from "../../store/postgres/mod.ts";
import { openPostgresClient, type PostgresClientOptions } from "./client.ts";

/** Options for {@linkcode openPostgresStores}. */
export interface OpenPostgresStoresOptions extends PostgresStoresOptions {
  /** The pool's options. */
  pool?: PostgresClientOptions;
}

/** Opened PostgreSQL stores and how to close their pool. */
export interface OpenedPostgresStores extends PostgresStores {
  /** Closes the pool (waits up to 5 s for running queries). */
  close(): Promise<void>;
}

/**
 * Opens a pool to `url`, migrates, and builds every store; closes the pool
 * again if that fails.
 *
 * @example
 * ```ts ignore
 * import { openPostgresStores } from "@tollgate/tollgate/postgres";
 * const opened = await openPostgresStores("postgres://tollgate@127.0.0.1:5432/tollgate");
 * await opened.stores.domains.add("example.net");
 * await opened.close();
 * ```
 */
export async function openPostgresStores(
  url: string,
  options: OpenPostgresStoresOptions = {},
): Promise<OpenedPostgresStores> {
  const sql = openPostgresClient(url, options.pool);
  try {
    return { ...await createPostgresStores(sql, options), close: () => sql.close() };
  } catch (error) {
    await sql.close();
    throw error;
  }
}
