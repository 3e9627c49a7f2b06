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
export class PostgresDomainStore implements DomainStore {
  #sql: SqlClient;
  #table: string;

  /** Uses `schema`'s `domains` table (see `schema.ts`) through `sql`. */
  constructor(sql: SqlClient, schema: string) {
    this.#sql = sql;
    this.#table = `${qualify(schema)}.domains`;
  }
  /** Every entry, sorted. */
  async list(): Promise<string[]> {
    const { rows } = await this.#sql.query(`SELECT domain FROM ${this.#table} ORDER BY domain`);
    return rows.map((row) => String(row.domain));
  }
  /** Whether this exact entry exists. */
  async has(domain: string): Promise<boolean> {
    const { rows } = await this.#sql.query(
      `SELECT 1 FROM ${this.#table} WHERE domain = $1::text`,
      [domain],
    );
    return rows.length > 0;
  }
  /** Adds an entry; adding one that exists is not an error. */
  async add(domain: string): Promise<void> {
    await this.#sql.query(`INSERT INTO ${this.#table} VALUES ($1::text) ON CONFLICT DO NOTHING`, [
      domain,
    ]);
  }
  /** Removes an entry; returns whether it existed. */
  async remove(domain: string): Promise<boolean> {
    const result = await this.#sql.query(`DELETE FROM ${this.#table} WHERE domain = $1::text`, [
      domain,
    ]);
    return result.count > 0;
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
export class PostgresNetworkStore implements NetworkStore {
  #sql: SqlClient;
  #table: string;

  /** Uses `schema`'s `networks` table through `sql`. */
  constructor(sql: SqlClient, schema: string) {
    this.#sql = sql;
    this.#table = `${qualify(schema)}.networks`;
  }
  /** Every entry, sorted. */
  async list(): Promise<string[]> {
    const { rows } = await this.#sql.query(`SELECT cidr FROM ${this.#table} ORDER BY cidr`);
    return rows.map((row) => String(row.cidr));
  }
  /** Adds an entry; adding one that exists is not an error. */
  async add(cidr: string): Promise<void> {
    await this.#sql.query(`INSERT INTO ${this.#table} VALUES ($1::text) ON CONFLICT DO NOTHING`, [
      cidr,
    ]);
  }
  /** Removes an entry; returns whether it existed. */
  async remove(cidr: string): Promise<boolean> {
    const result = await this.#sql.query(`DELETE FROM ${this.#table} WHERE cidr = $1::text`, [
      cidr,
    ]);
    return result.count > 0;
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
