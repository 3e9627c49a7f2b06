/**
 * Outbound routes in table `routes`, one `jsonb` document per pattern.
 *
 * @module
 */
import { copyRoute } from "../route_record.ts";
import type { Route, RouteStore } from "../types.ts";
import { routeFromText } from "./rows.ts";
import { qualify } from "./schema.ts";
import type { SqlClient, SqlSession } from "./sql_port.ts";

/**
 * Routes in PostgreSQL, listed by pattern (byte order).
 *
 * @example
 * ```ts ignore
 * import { PostgresRouteStore } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const routes = new PostgresRouteStore(sql, "tollgate");
 * await routes.put({ pattern: "*", relay: "mail.provider.example", tls: "starttls" });
 * console.log((await routes.get("*"))?.relay); // "mail.provider.example"
 * ```
 */
export class PostgresRouteStore implements RouteStore {
  #sql: SqlClient;
  #table: string;

  /** Uses `schema`'s `routes` table through `sql`. */
  constructor(sql: SqlClient, schema: string) {
    this.#sql = sql;
    this.#table = `${qualify(schema)}.routes`;
  }
  /** Every route, sorted by pattern. */
  async list(): Promise<Route[]> {
    const { rows } = await this.#sql.query(
      `SELECT route::text AS route FROM ${this.#table} ORDER BY pattern`,
    );
    return rows.map((row) => routeFromText(row.route));
  }
  /** The route with this exact pattern, or undefined. */
  async get(pattern: string): Promise<Route | undefined> {
    const { rows } = await this.#sql.query(
      `SELECT route::text AS route FROM ${this.#table} WHERE pattern = $1::text`,
      [pattern],
    );
    return rows.length > 0 ? routeFromText(rows[0].route) : undefined;
  }
  /** Creates or replaces the route with `route.pattern`. */
  async put(route: Route): Promise<void> {
    await this.#upsert(this.#sql, route);
  }
  /** Creates or replaces every route in one transaction. */
  async putAll(routes: Route[]): Promise<void> {
    if (routes.length === 0) return;
    await this.#sql.transaction(async (tx) => {
      for (const route of routes) await this.#upsert(tx, route);
    });
  }
  /** Removes the route; returns whether it existed. */
  async remove(pattern: string): Promise<boolean> {
    const result = await this.#sql.query(`DELETE FROM ${this.#table} WHERE pattern = $1::text`, [
      pattern,
    ]);
    return result.count > 0;
  }

  async #upsert(session: SqlSession, route: Route): Promise<void> {
    const copy = copyRoute(route);
    await session.query(
      `INSERT INTO ${this.#table} (pattern, route) VALUES ($1::text, $2::text::jsonb)
       ON CONFLICT (pattern) DO UPDATE SET route = excluded.route`,
      [copy.pattern, JSON.stringify(copy)],
    );
  }
}
