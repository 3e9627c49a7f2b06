/**
 * The PostgreSQL {@linkcode LoginAttemptStore}: one row per failure in
 * `login_failures`, one per banned client group in `login_bans`, so every
 * node counts every node's failures. Expired failures are deleted as new
 * ones arrive, ended bans by `sweep`.
 *
 * @module
 */
import type { LoginAttemptStore } from "../login_attempts.ts";
import { qualify } from "./schema.ts";
import type { SqlClient } from "./sql_port.ts";

/**
 * Failures and bans in PostgreSQL, shared by every node on the database.
 *
 * Two nodes recording a failure of one key at the same moment may each count
 * without the other's row, so a threshold can be crossed one failure late;
 * never early.
 *
 * @example
 * ```ts ignore
 * import { PostgresLoginAttemptStore } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const attempts = new PostgresLoginAttemptStore(sql, "tollgate");
 * console.log(await attempts.addFailure("client:192.0.2.1", Date.now(), 900_000)); // 1
 * ```
 */
export class PostgresLoginAttemptStore implements LoginAttemptStore {
  #sql: SqlClient;
  #failures: string;
  #bans: string;

  /** Uses `schema`'s tables through `sql`. */
  constructor(sql: SqlClient, schema: string) {
    this.#sql = sql;
    this.#failures = `${qualify(schema)}.login_failures`;
    this.#bans = `${qualify(schema)}.login_bans`;
  }

  /** Records a failure; returns the count in the window, this one included. */
  async addFailure(key: string, at: number, windowMs: number): Promise<number> {
    const start = at - windowMs;
    await this.#deleteFailuresUpTo(start);
    const { rows } = await this.#sql.query(
      `WITH added AS (
         INSERT INTO ${this.#failures} (key, failed_at) VALUES ($1::text, $2::bigint) RETURNING 1)
       SELECT (SELECT count(*) FROM ${this.#failures}
                WHERE key = $1::text AND failed_at > $3::bigint)
            + (SELECT count(*) FROM added) AS n`,
      [key, at, start],
    );
    return Number(rows[0].n);
  }

  /** Forgets every failure of `key`. */
  async clearFailures(key: string): Promise<void> {
    await this.#sql.query(`DELETE FROM ${this.#failures} WHERE key = $1::text`, [key]);
  }

  /** Bans `client` until `until` (a later end stays). */
  async ban(client: string, until: number): Promise<void> {
    await this.#sql.query(
      `INSERT INTO ${this.#bans} (client, until) VALUES ($1::text, $2::bigint)
       ON CONFLICT (client) DO UPDATE SET until = greatest(${this.#bans}.until, excluded.until)`,
      [client, until],
    );
  }

  /** The ban's end, if after `now`. */
  async bannedUntil(client: string, now: number): Promise<number | undefined> {
    const { rows } = await this.#sql.query(
      `SELECT until FROM ${this.#bans} WHERE client = $1::text AND until > $2::bigint`,
      [client, now],
    );
    return rows.length === 0 ? undefined : Number(rows[0].until);
  }

  /** Deletes failures outside the window and ended bans; returns how many. */
  async sweep(now: number, windowMs: number): Promise<number> {
    const failures = await this.#deleteFailuresUpTo(now - windowMs);
    const bans = await this.#sql.query(`DELETE FROM ${this.#bans} WHERE until <= $1::bigint`, [
      now,
    ]);
    return failures + bans.count;
  }

  /** Deletes every failure at or before `time` (through the `failed_at` index); returns how many. */
  async #deleteFailuresUpTo(time: number): Promise<number> {
    const result = await this.#sql.query(
      `DELETE FROM ${this.#failures} WHERE failed_at <= $1::bigint`,
      [time],
    );
    return result.count;
  }
}
