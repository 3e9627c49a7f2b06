/**
 * Users and their password hashes in table `users`.
 *
 * @module
 */
import { assertPageLimit } from "../paging.ts";
import type { Page, PageRequest, UserRecord, UserStore } from "../types.ts";
import { userFromRow } from "./rows.ts";
import { qualify } from "./schema.ts";
import type { SqlClient } from "./sql_port.ts";

/**
 * Users in PostgreSQL, listed by address (byte order) with the last address as cursor.
 *
 * @example
 * ```ts ignore
 * import { PostgresUserStore } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const users = new PostgresUserStore(sql, "tollgate");
 * await users.put({ address: "test@domain.de", passwordHash: "$scrypt$...", updatedAt: 0 });
 * console.log((await users.get("test@domain.de"))?.address); // "test@domain.de"
 * ```
 */
export class PostgresUserStore implements UserStore {
  #sql: SqlClient;
  #table: string;

  /** Uses `schema`'s `users` table through `sql`. */
  constructor(sql: SqlClient, schema: string) {
    this.#sql = sql;
    this.#table = `${qualify(schema)}.users`;
  }
  /** The user with this exact address, or undefined. */
  async get(address: string): Promise<UserRecord | undefined> {
    const { rows } = await this.#sql.query(
      `SELECT * FROM ${this.#table} WHERE address = $1::text`,
      [address],
    );
    return rows.length > 0 ? userFromRow(rows[0]) : undefined;
  }
  /** Creates or replaces the user (a missing CRAM-MD5 secret clears a stored one). */
  async put(user: UserRecord): Promise<void> {
    await this.#sql.query(
      `INSERT INTO ${this.#table} (address, password_hash, cram_md5_secret, updated_at)
       VALUES ($1::text, $2::text, $3::text, $4::bigint)
       ON CONFLICT (address) DO UPDATE SET password_hash = excluded.password_hash,
         cram_md5_secret = excluded.cram_md5_secret, updated_at = excluded.updated_at`,
      [user.address, user.passwordHash, user.cramMd5Secret ?? null, user.updatedAt],
    );
  }
  /** Removes the user; returns whether it existed. */
  async remove(address: string): Promise<boolean> {
    const result = await this.#sql.query(`DELETE FROM ${this.#table} WHERE address = $1::text`, [
      address,
    ]);
    return result.count > 0;
  }
  /** A page of users sorted by address, starting after `page.cursor`. */
  async list(page: PageRequest): Promise<Page<UserRecord>> {
    assertPageLimit(page.limit);
    const { rows } = await this.#sql.query(
      `SELECT * FROM ${this.#table} WHERE $1::text IS NULL OR address > $1::text
       ORDER BY address LIMIT $2::bigint`,
      [page.cursor ?? null, page.limit + 1],
    );
    const items = rows.slice(0, page.limit).map(userFromRow);
    return rows.length > page.limit ? { items, cursor: items.at(-1)!.address } : { items };
  }
}
