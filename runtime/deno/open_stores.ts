/**
 * Opens Tollgate's stores as the settings say, for every entry point: the
 * embedded Deno KV under `TOLLGATE_DATA`, or PostgreSQL shared by several
 * nodes (`TOLLGATE_STORE=postgres://...`).
 *
 * @module
 */
import type { OpenedStores, SharedQueue } from "../../server/platform.ts";
import { KvUserStore } from "../../store/kv/kv_stores.ts";
import { createPostgresStores, listenForNewMail } from "../../store/postgres/mod.ts";
import { PostgresUserStore } from "../../store/postgres/users.ts";
import type { UserStore } from "../../store/types.ts";
import { openPostgresClient } from "../postgres/client.ts";
import type { TollgateConfig } from "./config.ts";
import { openKvStores } from "./kv_open.ts";
import { describeStore } from "./store_config.ts";

/** The settings {@linkcode openStores} reads. */
export type StoreConfig = Pick<TollgateConfig, "store" | "dataDir" | "deliveryLeaseMs">;

/**
 * Opens every store (deleting what a crash left); on PostgreSQL also the
 * shared queue's leases and new-mail signal, with a node id of host name,
 * process id and random hex. Logs which store, never a password.
 *
 * @example
 * ```ts ignore
 * import { openStores, parseConfig } from "@tollgate/tollgate/deno";
 * const opened = await openStores(parseConfig(Deno.env.toObject(), Deno.hostname()), console.log);
 * console.log(await opened.stores.domains.list());
 * await opened.close();
 * ```
 */
export async function openStores(
  config: StoreConfig,
  log: (line: string) => void,
): Promise<OpenedStores> {
  const { store, dataDir } = config;
  log(`store: ${describeStore(store, dataDir)}`);
  if (store.kind === "kv") {
    await Deno.mkdir(dataDir, { recursive: true });
    return await openKvStores(`${dataDir}/tollgate.kv`, { bodyDir: `${dataDir}/bodies` });
  }
  const sql = openPostgresClient(store.url, { max: store.poolMax });
  let opened;
  try {
    opened = await createPostgresStores(sql, { schema: store.schema });
  } catch (error) {
    await sql.close();
    throw error;
  }
  if (opened.migrated.length > 0) log(`store: migrated to ${opened.migrated.join(", ")}`);
  let stopListening: (() => Promise<void>) | undefined;
  const shared: SharedQueue = {
    leases: opened.stores.queue,
    node: nodeId(),
    leaseMs: config.deliveryLeaseMs,
    listen: async (onNewMail) => {
      try {
        stopListening = await listenForNewMail(sql, store.schema, onNewMail);
      } catch (error) {
        log(`store: cannot LISTEN for new mail, polling only: ${(error as Error).message}`);
      }
    },
  };
  return {
    stores: opened.stores,
    abandonedSpools: opened.abandonedSpools,
    shared,
    close: async () => {
      await stopListening?.().catch(() => {});
      await sql.close();
    },
  };
}

/**
 * Opens only the user store, beside a running server (the checkpassword
 * entry point): no crash clean-up, no migration, one connection.
 *
 * @example
 * ```ts ignore
 * import { openUserStore, parseConfig } from "@tollgate/tollgate/deno";
 * const { users, close } = await openUserStore(parseConfig(Deno.env.toObject(), "localhost"));
 * console.log(await users.get("test@domain.de"));
 * await close();
 * ```
 */
export async function openUserStore(
  config: Pick<StoreConfig, "store" | "dataDir">,
): Promise<{ users: UserStore; close(): Promise<void> }> {
  const { store, dataDir } = config;
  if (store.kind === "kv") {
    const kv = await Deno.openKv(`${dataDir}/tollgate.kv`);
    return { users: new KvUserStore(kv), close: () => Promise.resolve(kv.close()) };
  }
  const sql = openPostgresClient(store.url, { max: 1 });
  return { users: new PostgresUserStore(sql, store.schema), close: () => sql.close() };
}

function nodeId(): string {
  const random = crypto.getRandomValues(new Uint8Array(4));
  const hex = Array.from(random, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${Deno.hostname()}-${Deno.pid}-${hex}`;
}
