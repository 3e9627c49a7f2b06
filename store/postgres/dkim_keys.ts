/**
 * DKIM keys on PostgreSQL: table `dkim_keys`, one row per (domain, selector).
 *
 * @module
 */
import type { DkimAlgorithm, DkimKey, DkimKeyStore } from "../dkim_keys.ts";
import { qualify } from "./schema.ts";
import type { SqlClient } from "./sql_port.ts";

const COLUMNS = "domain, selector, algorithm, private_key, public_key, created_at";

/**
 * DKIM keys in table `dkim_keys`.
 *
 * @example
 * ```ts ignore
 * import { PostgresDkimKeyStore } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const keys = new PostgresDkimKeyStore(sql, "tollgate");
 * console.log(await keys.get("domain.de")); // []
 * ```
 */
export class PostgresDkimKeyStore implements DkimKeyStore {
  #sql: SqlClient;
  #table: string;

  /** Uses `schema`'s `dkim_keys` table through `sql`. */
  constructor(sql: SqlClient, schema: string) {
    this.#sql = sql;
    this.#table = `${qualify(schema)}.dkim_keys`;
  }
  /** Every key, sorted by domain, then selector. */
  async list(): Promise<DkimKey[]> {
    const { rows } = await this.#sql.query(
      `SELECT ${COLUMNS} FROM ${this.#table} ORDER BY domain, selector`,
    );
    return rows.map(toKey);
  }
  /** The domain's keys, sorted by selector. */
  async get(domain: string): Promise<DkimKey[]> {
    const { rows } = await this.#sql.query(
      `SELECT ${COLUMNS} FROM ${this.#table} WHERE domain = $1::text ORDER BY selector`,
      [domain],
    );
    return rows.map(toKey);
  }
  /** Creates or replaces the key with this domain and selector. */
  async put(key: DkimKey): Promise<void> {
    await this.#sql.query(
      `INSERT INTO ${this.#table} (${COLUMNS})
       VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint)
       ON CONFLICT (domain, selector) DO UPDATE SET algorithm = EXCLUDED.algorithm,
         private_key = EXCLUDED.private_key, public_key = EXCLUDED.public_key,
         created_at = EXCLUDED.created_at`,
      [key.domain, key.selector, key.algorithm, key.privateKey, key.publicKey, key.createdAt],
    );
  }
  /** Removes one selector's key; returns whether it existed. */
  async remove(domain: string, selector: string): Promise<boolean> {
    const result = await this.#sql.query(
      `DELETE FROM ${this.#table} WHERE domain = $1::text AND selector = $2::text`,
      [domain, selector],
    );
    return result.count > 0;
  }
  /** Removes every key of the domain; returns how many there were. */
  async removeDomain(domain: string): Promise<number> {
    const result = await this.#sql.query(`DELETE FROM ${this.#table} WHERE domain = $1::text`, [
      domain,
    ]);
    return result.count;
  }
}

function toKey(row: Record<string, unknown>): DkimKey {
  return {
    domain: String(row.domain),
    selector: String(row.selector),
    algorithm: String(row.algorithm) as DkimAlgorithm,
    privateKey: String(row.private_key),
    publicKey: String(row.public_key),
    createdAt: Number(row.created_at),
  };
}
