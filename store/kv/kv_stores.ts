/**
 * Tollgate's stores on Deno KV (the local SQLite backend): domains, users,
 * relay networks, outbound routes and the mail queue, in one database file.
 *
 * ## Key layout
 *
 * | key                       | value                                           |
 * | ------------------------- | ----------------------------------------------- |
 * | `["domain", name]`        | `true`                                          |
 * | `["network", cidr]`       | `true`                                          |
 * | `["user", address]`       | the `UserRecord`                                |
 * | `["route", pattern]`      | the `Route` (its password in clear: it is sent) |
 * | `["sender", user, entry]` | `true` (`kv_senders.ts`)                        |
 * | `["dkim", domain, selector]` | a `DkimKey` (`kv_dkim_keys.ts`)             |
 * | `["queue", id]`           | `{ message, chunks, delivery, counted }`        |
 * | `["queue-due", at, id]`   | `true`: `id` is due at `at` (ms), time order    |
 * | `["queue-stats", name]`   | counters (`kv_queue_stats.ts`)                  |
 * | `["spool", id, n]`        | the `n`th part of a body, at most 60 KiB        |
 * | `["spool-pending", id]`   | ms when the spool started; absent once queued   |
 *
 * Keys are built in `kv_keys.ts` only. Lists come back in KV key order (by
 * UTF-8 bytes), which is address order for users and time order for queue ids.
 *
 * ## The spool
 *
 * Each 60 KiB of body goes to `["spool", id, n]` once the body goes on past
 * it (the first with `["spool-pending", id]`), so a 25 MiB message never
 * sits in memory.
 * `commit()` writes the last chunk (a small one in parts of at most 900
 * bytes, which fit in SQLite's page) and `["queue", id]` and deletes the marker
 * in one atomic operation: a message is queued whole or not at all, and a
 * body of one chunk (most mail) is written by that commit alone. `abort()`,
 * `remove()` and the clean-up at open delete chunks in batches and drop the
 * marker last. A marker without a queue entry at open means a crash mid-DATA
 * (or mid-remove): `openKvBackend` (`kv_backend.ts`) deletes that spool first.
 *
 * With `bodyDir`, a body that outgrows one chunk is appended to the body
 * log in `bodyDir/log/` instead (`body_log.ts`: SQLite's cost per byte set
 * the pace for large mail, and a file per body the kernel's), made durable
 * before the queue entry that names its pieces (`bodyLog`) is committed.
 * When such a message is deferred, its body moves to a file of its own
 * (`bodyDir/<id>`, `body_files.ts`, `bodyFile: true`) so that it does not
 * keep a segment of delivered mail on disk while it waits. At open, the
 * queue is scanned once: log segments no entry names, and body files whose
 * entry does not name them, are deleted (a crash left them).
 *
 * ## Durability
 *
 * Deno's KV opens SQLite with `journal_mode=WAL` and sets no `synchronous`
 * pragma (`ext/kv/sqlite.rs`, `denokv_sqlite/backend.rs`), and the bundled
 * SQLite of `libsqlite3-sys` is built without `SQLITE_DEFAULT_SYNCHRONOUS` or
 * `SQLITE_DEFAULT_WAL_SYNCHRONOUS`, so SQLite's default `synchronous=FULL`
 * applies: the WAL is fsynced at every commit. Measured with
 * `strace -e fsync` on Deno 2.9.6: 150 `kv.set`/`atomic().commit()` calls made
 * 150 `fsync`s of the `-wal` file, each before the promise resolved. So a
 * resolved commit survives SIGKILL (it is in the WAL) and power loss (the WAL
 * is on disk), as far as the disk honours fsync. The spool's writes go
 * through one `KvCommitBatcher` (`kv_commit_batcher.ts`): writes of
 * concurrent sessions that wait while a commit is in flight share the next
 * commit and its fsync, and each resolves only once that commit has.
 * Deno still calls KV unstable and warns that data loss is possible "around
 * Deno updates" (denoland/denokv#101): back the file up.
 *
 * Deno's built-in `openKv` gives the database on Deno (`openKvStores` in the Deno
 * runtime); anything with the same shape (`kv_port.ts`) works, such as the
 * npm package `@deno/kv`. A data file belongs to the runtime that wrote it:
 * Deno 2.9 writes V8 serialisation version 16, which `@deno/kv` on Node 20
 * (version 15) cannot read, so move data between runtimes through the admin
 * API (export and import routes, users and domains; let the queue drain),
 * never by sharing the file.
 *
 * Several processes on one file are no cluster (`database is locked` errors,
 * late queue events): open it from one Tollgate process.
 *
 * @module
 */
import { copyUserRecord } from "../records.ts";
import { copyRoute } from "../route_record.ts";
import type {
  DomainStore,
  NetworkStore,
  Page,
  PageRequest,
  Route,
  RouteStore,
  Stores,
  UserRecord,
  UserStore,
} from "../types.ts";
import { KV_ATOMIC_LIMITS } from "./kv_atomic_limits.ts";
import {
  deleteIfPresent,
  DOMAIN_PREFIX,
  listAfter,
  NETWORK_PREFIX,
  routeKey,
  userKey,
} from "./kv_keys.ts";
import { KvMessageQueue, type KvMessageQueueOptions } from "./kv_queue.ts";
import { KvSenderStore } from "./kv_senders.ts";
import { KvDkimKeyStore } from "./kv_dkim_keys.ts";
import { getEntry, type Kv, listEntries } from "./kv_port.ts";

async function listNames(kv: Kv, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of kv.list({ prefix: [prefix] })) names.push(String(entry.key[1]));
  return names;
}

/**
 * A set of text entries on Deno KV, under `[prefix, entry]`: what
 * {@linkcode KvDomainStore} and {@linkcode KvNetworkStore} are.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvEntrySet } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const entries = new KvEntrySet(kv, "domain");
 * await entries.add("b.example");
 * await entries.add("a.example");
 * console.log(await entries.list(), await entries.remove("c.example")); // ["a.example", "b.example"] false
 * kv.close();
 * ```
 */
export class KvEntrySet implements DomainStore, NetworkStore {
  #kv: Kv;
  #prefix: string;
  /** Keeps the entries in `kv` under `[prefix, entry]`. */
  constructor(kv: Kv, prefix: string) {
    this.#kv = kv;
    this.#prefix = prefix;
  }
  /** Every entry, sorted. */
  list(): Promise<string[]> {
    return listNames(this.#kv, this.#prefix);
  }
  /** Whether this exact entry exists. */
  async has(entry: string): Promise<boolean> {
    return (await this.#kv.get([this.#prefix, entry])).versionstamp !== null;
  }
  /** Adds an entry; adding one that exists is not an error. */
  async add(entry: string): Promise<void> {
    await this.#kv.set([this.#prefix, entry], true);
  }
  /** Removes an entry; returns whether it existed. */
  remove(entry: string): Promise<boolean> {
    return deleteIfPresent(this.#kv, [this.#prefix, entry]);
  }
}

/**
 * Local domains on Deno KV (`["domain", name]`).
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvDomainStore } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const domains = new KvDomainStore(kv);
 * await domains.add("example.net");
 * console.log(await domains.list()); // ["example.net"]
 * kv.close();
 * ```
 */
export class KvDomainStore extends KvEntrySet {
  /** Keeps the domains in `kv`. */
  constructor(kv: Kv) {
    super(kv, DOMAIN_PREFIX);
  }
}

/**
 * Relay-client networks on Deno KV (`["network", cidr]`).
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvNetworkStore } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const networks = new KvNetworkStore(kv);
 * await networks.add("192.0.2.0/24");
 * console.log(await networks.list()); // ["192.0.2.0/24"]
 * kv.close();
 * ```
 */
export class KvNetworkStore extends KvEntrySet {
  /** Keeps the networks in `kv`. */
  constructor(kv: Kv) {
    super(kv, NETWORK_PREFIX);
  }
}

/**
 * Users on Deno KV, listed in address order.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvUserStore } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const users = new KvUserStore(kv);
 * await users.put({ address: "test@domain.de", passwordHash: "$scrypt$...", updatedAt: 0 });
 * console.log((await users.get("test@domain.de"))?.address); // "test@domain.de"
 * kv.close();
 * ```
 */
export class KvUserStore implements UserStore {
  #kv: Kv;
  /** Keeps the users in `kv`. */
  constructor(kv: Kv) {
    this.#kv = kv;
  }
  /** The user with this address, or undefined. */
  async get(address: string): Promise<UserRecord | undefined> {
    return (await getEntry<UserRecord>(this.#kv, userKey(address))).value ?? undefined;
  }
  /** Creates or replaces the user. */
  async put(user: UserRecord): Promise<void> {
    await this.#kv.set(userKey(user.address), copyUserRecord(user));
  }
  /** Removes the user; returns whether it existed. */
  remove(address: string): Promise<boolean> {
    return deleteIfPresent(this.#kv, userKey(address));
  }
  /** A page of users sorted by address; the cursor is the last address. */
  async list(page: PageRequest): Promise<Page<UserRecord>> {
    const result = await listAfter<UserRecord>(this.#kv, ["user"], page);
    return { ...result, items: result.items.map((entry) => entry.value) };
  }
}

const MAX_ATOMIC_MUTATIONS = KV_ATOMIC_LIMITS.mutations;

/**
 * Outbound routes on Deno KV, listed by pattern (KV key order).
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvRouteStore } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const routes = new KvRouteStore(kv);
 * await routes.put({ pattern: "*", relay: "mail.provider.example", tls: "starttls" });
 * console.log((await routes.get("*"))?.relay); // "mail.provider.example"
 * kv.close();
 * ```
 */
export class KvRouteStore implements RouteStore {
  #kv: Kv;
  /** Keeps the routes in `kv`. */
  constructor(kv: Kv) {
    this.#kv = kv;
  }
  /** Every route, sorted by pattern. */
  async list(): Promise<Route[]> {
    const routes: Route[] = [];
    for await (const entry of listEntries<Route>(this.#kv, { prefix: ["route"] })) {
      routes.push(entry.value);
    }
    return routes;
  }
  /** The route with this exact pattern, or undefined. */
  async get(pattern: string): Promise<Route | undefined> {
    return (await getEntry<Route>(this.#kv, routeKey(pattern))).value ?? undefined;
  }
  /** Creates or replaces the route with `route.pattern`. */
  async put(route: Route): Promise<void> {
    await this.#kv.set(routeKey(route.pattern), copyRoute(route));
  }
  /**
   * Creates or replaces every route in one atomic commit.
   *
   * @throws {RangeError} For more than 1000 routes (KV's limit for one commit),
   *   before anything is written.
   */
  async putAll(routes: Route[]): Promise<void> {
    if (routes.length > MAX_ATOMIC_MUTATIONS) {
      throw new RangeError(
        `Cannot store routes: ${routes.length} in one step, at most ${MAX_ATOMIC_MUTATIONS}`,
      );
    }
    const operation = this.#kv.atomic();
    for (const route of routes) operation.set(routeKey(route.pattern), copyRoute(route));
    await operation.commit();
  }
  /** Removes the route; returns whether it existed. */
  remove(pattern: string): Promise<boolean> {
    return deleteIfPresent(this.#kv, routeKey(pattern));
  }
}

/**
 * Every store on one open KV database, from Deno's built-in `openKv` or from `@deno/kv` (see
 * `kv_port.ts`). It opens nothing and deletes nothing: {@linkcode openKvStores}
 * is the Deno entry that also opens the database and the body files and
 * cleans up after a crash.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { createKvStores } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const stores = createKvStores(kv, Date.now);
 * await stores.domains.add("example.net");
 * console.log(await stores.domains.has("example.net")); // true
 * kv.close();
 * ```
 */
export function createKvStores(
  kv: Kv,
  now: () => number,
  options: KvMessageQueueOptions = {},
): Stores {
  return {
    domains: new KvDomainStore(kv),
    users: new KvUserStore(kv),
    networks: new KvNetworkStore(kv),
    queue: new KvMessageQueue(kv, now, options),
    routes: new KvRouteStore(kv),
    senders: new KvSenderStore(kv),
    dkim: new KvDkimKeyStore(kv),
  };
}
