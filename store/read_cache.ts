/**
 * A read cache in front of the stores every `RCPT TO` and `MAIL FROM` asks:
 * domains, users, trusted networks and sender grants; and of the DKIM keys
 * every signed message reads. Without it each
 * recipient costs two to four store reads (a local domain, its parent
 * entries, the user), which at c=20 took about a third of the process's CPU.
 *
 * Correct for one process per store (the Deno KV default): every write goes
 * through the wrapped store and drops what it changes, and a read that was
 * in flight during a write is not kept. Entries also expire after `maxAgeMs`,
 * so a store shared with other writers (a networked backend) is seen within
 * that time. Failures are never cached. Records are copied in and out, as
 * the stores themselves do.
 *
 * @module
 */
import type { DkimKey, DkimKeyStore } from "./dkim_keys.ts";
import type { SenderStore } from "./senders.ts";
import type { DomainStore, NetworkStore, Stores, UserRecord, UserStore } from "./types.ts";

/**
 * How long entries live and how many are kept.
 *
 * @example
 * ```ts
 * import { createMemoryStores, withReadCache } from "@tollgate/tollgate/store";
 * import type { ReadCacheOptions } from "@tollgate/tollgate/store";
 * const options: ReadCacheOptions = { now: Date.now, maxAgeMs: 2_000, maxEntries: 1_000 };
 * const stores = withReadCache(createMemoryStores(() => 0), options);
 * console.log(await stores.domains.has("example.net")); // false
 * ```
 */
export interface ReadCacheOptions {
  /** The clock, in ms. */
  now: () => number;
  /** How long an entry is served before the store is asked again. */
  maxAgeMs: number;
  /** At most this many entries per store; the oldest goes first. Default 10,000. */
  maxEntries?: number;
}

/**
 * The same stores, with domain, user, network, sender and DKIM key reads served from
 * memory until a write through them changes the answer or `maxAgeMs` passes.
 *
 * @example
 * ```ts
 * import { createMemoryStores, withReadCache } from "@tollgate/tollgate/store";
 * const stores = withReadCache(createMemoryStores(() => 0), { now: Date.now, maxAgeMs: 2_000 });
 * console.log(await stores.domains.has("example.net")); // false (read, then cached)
 * await stores.domains.add("example.net"); // drops the cached answer
 * console.log(await stores.domains.has("example.net")); // true
 * ```
 */
export function withReadCache(stores: Stores, options: ReadCacheOptions): Stores {
  return {
    ...stores,
    domains: cachedDomains(stores.domains, new ReadCache(options)),
    users: cachedUsers(stores.users, new ReadCache(options)),
    networks: cachedNetworks(stores.networks, new ReadCache(options)),
    senders: cachedSenders(stores.senders, new ReadCache(options)),
    dkim: cachedDkimKeys(stores.dkim, new ReadCache(options)),
  };
}

/** The key under which a whole listing is cached. */
const ALL = "";

function cachedDomains(store: DomainStore, cache: ReadCache<boolean>): DomainStore {
  return {
    list: () => store.list(),
    has: (domain) => cache.read(domain, () => store.has(domain)),
    add: (domain) => cache.writing(domain, () => store.add(domain)),
    remove: (domain) => cache.writing(domain, () => store.remove(domain)),
  };
}

function cachedUsers(store: UserStore, cache: ReadCache<UserRecord | undefined>): UserStore {
  const copy = (user: UserRecord | undefined) => user && { ...user };
  return {
    get: async (address) => copy(await cache.read(address, () => store.get(address))),
    put: (user) => cache.writing(user.address, () => store.put(user)),
    remove: (address) => cache.writing(address, () => store.remove(address)),
    list: (page) => store.list(page),
  };
}

function cachedNetworks(store: NetworkStore, cache: ReadCache<string[]>): NetworkStore {
  return {
    list: async () => [...await cache.read(ALL, () => store.list())],
    add: (cidr) => cache.writing(ALL, () => store.add(cidr)),
    remove: (cidr) => cache.writing(ALL, () => store.remove(cidr)),
  };
}

function cachedSenders(store: SenderStore, cache: ReadCache<string[]>): SenderStore {
  return {
    list: async (user) => [...await cache.read(user, () => store.list(user))],
    add: (user, entry) => cache.writing(user, () => store.add(user, entry)),
    remove: (user, entry) => cache.writing(user, () => store.remove(user, entry)),
  };
}

function cachedDkimKeys(store: DkimKeyStore, cache: ReadCache<DkimKey[]>): DkimKeyStore {
  return {
    list: () => store.list(),
    get: async (domain) =>
      (await cache.read(domain, () => store.get(domain))).map((k) => ({ ...k })),
    put: (key) => cache.writing(key.domain, () => store.put(key)),
    remove: (domain, selector) => cache.writing(domain, () => store.remove(domain, selector)),
    removeDomain: (domain) => cache.writing(domain, () => store.removeDomain(domain)),
  };
}

/** Values by key, each with the time it was read. */
class ReadCache<V> {
  readonly #entries = new Map<string, { value: V; readAt: number }>();
  readonly #options: Required<ReadCacheOptions>;
  /** Bumped by every write, so a read that overlapped one is not kept. */
  #generation = 0;
  #writesInFlight = 0;

  constructor(options: ReadCacheOptions) {
    this.#options = { maxEntries: 10_000, ...options };
  }

  async read(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.#options.now();
    const entry = this.#entries.get(key);
    if (entry && now - entry.readAt < this.#options.maxAgeMs) return entry.value;
    const generation = this.#generation;
    const value = await load();
    if (generation === this.#generation && this.#writesInFlight === 0) this.#keep(key, value, now);
    return value;
  }

  /** Runs a write; the key's entry is dropped before and after it. */
  async writing<R>(key: string, write: () => Promise<R>): Promise<R> {
    this.#writesInFlight++;
    this.#forget(key);
    try {
      return await write();
    } finally {
      this.#writesInFlight--;
      this.#forget(key);
    }
  }

  #forget(key: string): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  #keep(key: string, value: V, readAt: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#options.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, { value, readAt });
  }
}
