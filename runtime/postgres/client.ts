/**
 * The PostgreSQL driver adapter: `npm:postgres` (porsager/postgres) behind the
 * backend's narrow {@linkcode SqlClient}. The driver works on Deno and Node
 * alike, so this file names no runtime; it lives outside `store/` because the
 * driver itself uses `node:net`, `node:tls` and `node:crypto`.
 *
 * @module
 */
import postgres from "postgres";
import type { SqlClient, SqlParam, SqlResult, SqlSession } from "../../store/postgres/mod.ts";

/** Options for {@linkcode openPostgresClient}. */
export interface PostgresClientOptions {
  /** The most connections the pool opens; default 10. */
  max?: number;
  /** Seconds to wait for a connection to open; default 10. */
  connectTimeoutSeconds?: number;
  /** Seconds an idle connection stays open; default 60. */
  idleTimeoutSeconds?: number;
}

/** A pool of connections: {@linkcode SqlClient} plus closing it. */
export interface PostgresClient extends SqlClient {
  /** Waits up to 5 s for running queries, then closes every connection. */
  close(): Promise<void>;
}

type Driver = ReturnType<typeof postgres>;
type DriverSession = Pick<Driver, "unsafe">;

function session(driver: DriverSession): SqlSession {
  return {
    async query(text: string, params: readonly SqlParam[] = []): Promise<SqlResult> {
      // The driver's parameter type wants its own JSON type; our values are a subset.
      const result = await driver.unsafe(text, params as never[]);
      return { rows: [...result], count: result.count ?? result.length };
    },
  };
}

/**
 * Opens a bounded pool to `url` (`postgres://user:pass@host:5432/db`; the
 * driver also reads `PGHOST`, `PGPASSWORD`, ... for what the URL leaves out).
 * Connections open lazily, on the first query.
 *
 * @example
 * ```ts ignore
 * import { openPostgresClient } from "@tollgate/tollgate/postgres";
 * const sql = openPostgresClient("postgres://tollgate@127.0.0.1:5432/tollgate", { max: 10 });
 * console.log((await sql.query("SELECT 1 AS one")).rows[0].one); // 1
 * await sql.close();
 * ```
 */
export function openPostgresClient(
  url: string,
  options: PostgresClientOptions = {},
): PostgresClient {
  const driver = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    idle_timeout: options.idleTimeoutSeconds ?? 60,
    onnotice: () => {},
  });
  return {
    ...session(driver),
    transaction<T>(body: (tx: SqlSession) => Promise<T>): Promise<T> {
      return driver.begin((tx) => body(session(tx))) as Promise<T>;
    },
    async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
      const { unlisten } = await driver.listen(channel, () => onNotify());
      return unlisten;
    },
    close: () => driver.end({ timeout: 5 }),
  };
}
