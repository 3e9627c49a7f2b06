/**
 * The stores that are sets of strings: local domains, relay networks, and
 * sender grants per user.
 *
 * @module
 */
import type { SenderStore } from "../senders.ts";
import type { DomainStore, NetworkStore } from "../types.ts";
import { qualify } from "./schema.ts";
import type { SqlClient } from "./sql_port.ts";

/**
 * A table of distinct strings in one `text COLLATE "C"` key column: the shape
 * of both the domain and the network store.
 *
 * @example
 * ```ts ignore
 * import { PostgresStringSet } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const domains = new PostgresStringSet(sql, "tollgate", { table: "domains", column: "domain" });
 * await domains.add("example.net");
 * console.log(await domains.list()); // ["example.net"]
 * ```
 */
export class PostgresStringSet {
  #sql: SqlClient;
  #table: string;
  #column: string;

  /** Uses `schema`'s `names.table`, key column `names.column`, through `sql`. */
  constructor(
    sql: SqlClient,
    schema: string,
    names: { table: "domains" | "networks"; column: "domain" | "cidr" },
  ) {
    this.#sql = sql;
    this.#table = `${qualify(schema)}.${names.table}`;
    this.#column = names.column;
  }
  /** Every entry, sorted (byte order). */
  async list(): Promise<string[]> {
    const { rows } = await this.#sql.query(
      `SELECT ${this.#column} AS entry FROM ${this.#table} ORDER BY ${this.#column}`,
    );
    return rows.map((row) => String(row.entry));
  }
  /** Whether this exact entry exists. */
  async has(entry: string): Promise<boolean> {
    const { rows } = await this.#sql.query(
      `SELECT 1 FROM ${this.#table} WHERE ${this.#column} = $1::text`,
      [entry],
    );
    return rows.length > 0;
  }
  /** Adds an entry; adding one that exists is not an error. */
  async add(entry: string): Promise<void> {
    await this.#sql.query(`INSERT INTO ${this.#table} VALUES ($1::text) ON CONFLICT DO NOTHING`, [
      entry,
    ]);
  }
  /** Removes an entry; returns whether it existed. */
  async remove(entry: string): Promise<boolean> {
    const result = await this.#sql.query(
      `DELETE FROM ${this.#table} WHERE ${this.#column} = $1::text`,
      [entry],
    );
    return result.count > 0;
  }
}

/**
 * Local domains in table `domains`.
 *
 * @example
 * ```ts ignore
 * import { PostgresDomainStore } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const domains = new PostgresDomainStore(sql, "tollgate");
 * await domains.add("example.net");
 * console.log(await domains.has("example.net")); // true
 * ```
 */
export class PostgresDomainStore extends PostgresStringSet implements DomainStore {
  /** Uses `schema`'s `domains` table (see `schema.ts`) through `sql`. */
  constructor(sql: SqlClient, schema: string) {
    super(sql, schema, { table: "domains", column: "domain" });
  }
}

/**
 * Relay-client networks in table `networks`.
 *
 * @example
 * ```ts ignore
 * import { PostgresNetworkStore } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const networks = new PostgresNetworkStore(sql, "tollgate");
 * await networks.add("192.0.2.0/24");
 * console.log(await networks.list()); // ["192.0.2.0/24"]
 * ```
 */
export class PostgresNetworkStore extends PostgresStringSet implements NetworkStore {
  /** Uses `schema`'s `networks` table through `sql`. */
  constructor(sql: SqlClient, schema: string) {
    super(sql, schema, { table: "networks", column: "cidr" });
  }
}

/**
 * Sender grants in table `sender_grants`, one row per (user, entry).
 *
 * @example
 * ```ts ignore
 * import { PostgresSenderStore } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const senders = new PostgresSenderStore(sql, "tollgate");
 * await senders.add("test@domain.de", "@shop.domain.de");
 * console.log(await senders.list("test@domain.de")); // ["@shop.domain.de"]
 * ```
 */
export class PostgresSenderStore implements SenderStore {
  #sql: SqlClient;
  #table: string;

  /** Uses `schema`'s `sender_grants` table through `sql`. */
  constructor(sql: SqlClient, schema: string) {
    this.#sql = sql;
    this.#table = `${qualify(schema)}.sender_grants`;
  }
  /** The user's entries, sorted. */
  async list(user: string): Promise<string[]> {
    const { rows } = await this.#sql.query(
      `SELECT entry FROM ${this.#table} WHERE user_address = $1::text ORDER BY entry`,
      [user],
    );
    return rows.map((row) => String(row.entry));
  }
  /** Grants an entry; granting one that exists is not an error. */
  async add(user: string, entry: string): Promise<void> {
    await this.#sql.query(
      `INSERT INTO ${this.#table} VALUES ($1::text, $2::text) ON CONFLICT DO NOTHING`,
      [user, entry],
    );
  }
  /** Withdraws an entry; returns whether it existed. */
  async remove(user: string, entry: string): Promise<boolean> {
    const result = await this.#sql.query(
      `DELETE FROM ${this.#table} WHERE user_address = $1::text AND entry = $2::text`,
      [user, entry],
    );
    return result.count > 0;
  }
}
