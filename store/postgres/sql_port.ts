/**
 * The narrow SQL interface the PostgreSQL backend needs from a driver: run one
 * parameterised statement, or several in one transaction. The backend never
 * imports a driver; `runtime/postgres/` adapts `npm:postgres` to this, and a
 * test can hand in anything with the same shape.
 *
 * Values go in as strings, numbers, booleans, `null` or bytes, and the SQL casts
 * them (`$1::bigint`, `$2::text::jsonb`); the backend reads `bigint` columns as
 * whatever the driver gives (a string or a number) and `jsonb` as `::text`, so
 * it depends on no driver's type parsing.
 *
 * @module
 */

/**
 * A value bound to a `$n` placeholder.
 *
 * @example
 * ```ts
 * import type { SqlParam } from "@tollgate/tollgate/store/postgres";
 * const params: SqlParam[] = ["example.net", 42, true, null, new Uint8Array([1, 2])];
 * console.log(params.length); // 5, for $1 ... $5
 * ```
 */
export type SqlParam = string | number | boolean | null | Uint8Array;

/**
 * One result row, by column name.
 *
 * @example
 * ```ts
 * import type { SqlRow } from "@tollgate/tollgate/store/postgres";
 * const row: SqlRow = { id: "018c2f5a1b0000000000", size: "22" }; // bigint as the driver gives it
 * console.log(Number(row.size)); // 22
 * ```
 */
export type SqlRow = Record<string, unknown>;

/**
 * What a statement returned: its rows, and how many rows it touched.
 *
 * @example
 * ```ts
 * import type { SqlResult } from "@tollgate/tollgate/store/postgres";
 * const result: SqlResult = { rows: [{ word: "hi" }], count: 1 };
 * console.log(result.rows[0].word, result.count); // hi 1
 * ```
 */
export interface SqlResult {
  /** The rows of a `SELECT` or `RETURNING`; empty otherwise. */
  rows: SqlRow[];
  /** Rows returned, inserted, updated or deleted. */
  count: number;
}

/**
 * Runs statements: on a pooled connection, or inside one transaction.
 *
 * @example
 * ```ts ignore
 * import type { SqlSession } from "@tollgate/tollgate/store/postgres";
 * declare const sql: SqlSession;
 * const { rows } = await sql.query("SELECT $1::text AS word", ["hi"]);
 * console.log(rows[0].word); // "hi"
 * ```
 */
export interface SqlSession {
  /** Runs one statement with `$1`, `$2`, ... bound to `params`. */
  query(text: string, params?: readonly SqlParam[]): Promise<SqlResult>;
}

/**
 * A bounded pool of connections to one database.
 *
 * @example
 * ```ts ignore
 * import type { SqlClient } from "@tollgate/tollgate/store/postgres";
 * declare const sql: SqlClient;
 * await sql.transaction(async (tx) => {
 *   await tx.query("INSERT INTO t VALUES ($1::int)", [1]);
 *   await tx.query("INSERT INTO t VALUES ($1::int)", [2]);
 * });
 * ```
 */
export interface SqlClient extends SqlSession {
  /**
   * Runs `body` in one transaction on one connection: committed when it
   * resolves, rolled back when it throws (and the error rethrown).
   */
  transaction<T>(body: (tx: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for every `NOTIFY` on `channel`, on a connection of its
   * own that listens again after a reconnect; resolves once listening, with a
   * function that stops. Optional: without it, nodes learn of new mail by polling.
   */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
}
