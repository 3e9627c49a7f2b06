/**
 * The store settings: `TOLLGATE_STORE` (unset or `kv`: the embedded Deno KV
 * under `TOLLGATE_DATA`; a `postgres://` or `postgresql://` URL: PostgreSQL),
 * `TOLLGATE_STORE_SCHEMA`, `TOLLGATE_STORE_POOL` and
 * `TOLLGATE_DELIVERY_LEASE_MS`.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";

/** Where the stores live. */
export type StoreSetting =
  | { kind: "kv" }
  | {
    kind: "postgres";
    /** The connection URL; it may hold a password, so log {@linkcode describeStore} instead. */
    url: string;
    /** `TOLLGATE_STORE_SCHEMA`: the PostgreSQL schema; default `tollgate`. */
    schema: string;
    /** `TOLLGATE_STORE_POOL`: connections per node at most; default 10. */
    poolMax: number;
  };

/**
 * Reads the store settings from the environment (through `read`).
 *
 * @example
 * ```ts
 * import { parseStoreSettings } from "@tollgate/tollgate/deno";
 * const env: Record<string, string> = { TOLLGATE_STORE: "postgres://tg:pw@db/tollgate" };
 * console.log(parseStoreSettings((name) => env[name]).store.kind); // "postgres"
 * ```
 */
export function parseStoreSettings(
  read: (name: string) => string | undefined,
): { store: StoreSetting; deliveryLeaseMs: number } {
  const text = read("TOLLGATE_STORE");
  const deliveryLeaseMs = whole("TOLLGATE_DELIVERY_LEASE_MS", read, 120_000, 100);
  if (text === undefined || text.toLowerCase() === "kv") {
    return { store: { kind: "kv" }, deliveryLeaseMs };
  }
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // Reported below, without the text (it may hold a password).
  }
  if (!url || !/^postgres(ql)?:$/.test(url.protocol)) {
    throw new ConfigError(
      "TOLLGATE_STORE",
      "must be kv or a URL postgres://user:password@host:5432/database",
    );
  }
  const schema = read("TOLLGATE_STORE_SCHEMA") ?? "tollgate";
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError("TOLLGATE_STORE_SCHEMA", "use lower-case letters, digits and _");
  }
  const poolMax = whole("TOLLGATE_STORE_POOL", read, 10, 2);
  return { store: { kind: "postgres", url: text, schema, poolMax }, deliveryLeaseMs };
}

/**
 * The store for a log line, a PostgreSQL URL's password replaced by `***`.
 *
 * @example
 * ```ts
 * import { describeStore } from "@tollgate/tollgate/deno";
 * const store = { kind: "postgres", url: "postgres://tg:secret@db:5432/tg", schema: "tollgate", poolMax: 10 } as const;
 * console.log(describeStore(store, "./data")); // PostgreSQL postgres://tg:***@db:5432/tg schema tollgate
 * ```
 */
export function describeStore(store: StoreSetting, dataDir: string): string {
  if (store.kind === "kv") return `Deno KV ${dataDir}/tollgate.kv`;
  const url = new URL(store.url);
  if (url.password !== "") url.password = "***";
  return `PostgreSQL ${url.href} schema ${store.schema}`;
}

function whole(
  setting: string,
  read: (name: string) => string | undefined,
  fallback: number,
  min: number,
): number {
  const text = read(setting);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(setting, `"${text}" is not a whole number >= ${min}`);
  }
  return value;
}
