/**
 * Applies the schema migrations at start, under a transaction-scoped
 * advisory lock: when several nodes start at once, one migrates while the
 * others wait for its commit, then find nothing left to do.
 *
 * @module
 */
import { type Migration, MIGRATIONS, qualify } from "./schema.ts";
import type { SqlClient } from "./sql_port.ts";

/**
 * What {@linkcode migrate} did.
 *
 * @example
 * ```ts
 * import type { MigrationResult } from "@tollgate/tollgate/store/postgres";
 * const current: MigrationResult = { applied: [], version: 2 }; // another node had migrated
 * const done = current.applied.length === 0 ? "nothing to do" : `applied ${current.applied}`;
 * console.log(`${done}, at version ${current.version}`); // "nothing to do, at version 2"
 * ```
 */
export interface MigrationResult {
  /** The versions this call applied, in order; empty when the schema was current. */
  applied: number[];
  /** The schema's version afterwards. */
  version: number;
}

/**
 * Brings `schema` up to the newest migration in one transaction (all or
 * nothing). Refuses a database whose schema is newer than this code knows.
 *
 * @example
 * ```ts ignore
 * import { migrate } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * console.log(await migrate(sql, "tollgate")); // { applied: [1, 2], version: 2 }
 * ```
 */
export function migrate(
  sql: SqlClient,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const s = qualify(schema);
  return sql.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1::text))", [
      `tollgate migrations ${schema}`,
    ]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await tx.query(
      `SELECT coalesce(max(version), 0) AS version FROM ${s}.schema_migrations`,
    );
    const current = Number(rows[0].version);
    const newest = migrations.at(-1)?.version ?? 0;
    if (current > newest) {
      throw new RangeError(
        `Cannot open PostgreSQL schema ${schema}: it is at version ${current}, ` +
          `this Tollgate knows up to ${newest}`,
      );
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements) {
        await tx.query(statement.replaceAll("{s}", s));
      }
      await tx.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1::int, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return { applied, version: Math.max(current, newest) };
  });
}
