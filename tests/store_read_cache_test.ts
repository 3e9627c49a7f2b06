import { deepEqual, equal, rejects } from "node:assert/strict";
import { openKvStores } from "../runtime/deno/kv_open.ts";
import { createMemoryStores, type DkimKey, type Stores, withReadCache } from "../store/mod.ts";
import { runStoreContract } from "./store_contract.ts";

// The cache must be invisible: the whole store contract holds through it.
runStoreContract("memory behind the read cache", () =>
  Promise.resolve({
    stores: withReadCache(createMemoryStores(() => Date.now()), {
      now: Date.now,
      maxAgeMs: 60_000,
    }),
    close: () => {},
  }));
runStoreContract("kv behind the read cache", async () => {
  const opened = await openKvStores(":memory:");
  return {
    stores: withReadCache(opened.stores, { now: Date.now, maxAgeMs: 60_000 }),
    close: opened.close,
  };
});

/** Memory stores that count reads, behind a cache with a hand-moved clock. */
function countedStores(options: { maxEntries?: number } = {}) {
  const backing = createMemoryStores(() => 0);
  const reads = { domains: 0, users: 0, networks: 0, senders: 0, dkim: 0 };
  const counted: Stores = {
    ...backing,
    domains: {
      ...backing.domains,
      has: (domain) => (reads.domains++, backing.domains.has(domain)),
      add: (domain) => backing.domains.add(domain),
      remove: (domain) => backing.domains.remove(domain),
      list: () => backing.domains.list(),
    },
    users: {
      get: (address) => (reads.users++, backing.users.get(address)),
      put: (user) => backing.users.put(user),
      remove: (address) => backing.users.remove(address),
      list: (page) => backing.users.list(page),
    },
    networks: {
      list: () => (reads.networks++, backing.networks.list()),
      add: (cidr) => backing.networks.add(cidr),
      remove: (cidr) => backing.networks.remove(cidr),
    },
    senders: {
      list: (user) => (reads.senders++, backing.senders.list(user)),
      add: (user, entry) => backing.senders.add(user, entry),
      remove: (user, entry) => backing.senders.remove(user, entry),
    },
    dkim: {
      list: () => backing.dkim.list(),
      get: (domain) => (reads.dkim++, backing.dkim.get(domain)),
      put: (key) => backing.dkim.put(key),
      remove: (domain, selector) => backing.dkim.remove(domain, selector),
      removeDomain: (domain) => backing.dkim.removeDomain(domain),
    },
  };
  const clock = { now: 0 };
  const stores = withReadCache(counted, { now: () => clock.now, maxAgeMs: 2_000, ...options });
  return { backing, stores, reads, clock };
}

const USER = { address: "test@domain.de", passwordHash: "$scrypt$x", updatedAt: 1 };
const DKIM_KEY: DkimKey = {
  domain: "domain.de",
  selector: "s1",
  algorithm: "ed25519-sha256",
  privateKey: "cHJpdmF0ZQ==",
  publicKey: "cHVibGlj",
  createdAt: 1,
};

Deno.test("read cache: a repeated lookup reads the store once, also for a miss", async () => {
  const { stores, reads } = countedStores();
  for (let i = 0; i < 3; i++) {
    equal(await stores.domains.has("domain.de"), false);
    equal(await stores.users.get("nobody@domain.de"), undefined);
    deepEqual(await stores.networks.list(), []);
    deepEqual(await stores.senders.list("test@domain.de"), []);
    deepEqual(await stores.dkim.get("domain.de"), []);
  }
  deepEqual(reads, { domains: 1, users: 1, networks: 1, senders: 1, dkim: 1 });
});

Deno.test("read cache: a write through it is seen by the next read", async () => {
  const { stores } = countedStores();
  equal(await stores.domains.has("domain.de"), false);
  await stores.domains.add("domain.de");
  equal(await stores.domains.has("domain.de"), true);
  await stores.domains.remove("domain.de");
  equal(await stores.domains.has("domain.de"), false);

  equal(await stores.users.get(USER.address), undefined);
  await stores.users.put(USER);
  equal((await stores.users.get(USER.address))?.passwordHash, "$scrypt$x");
  await stores.users.put({ ...USER, passwordHash: "$scrypt$y" });
  equal((await stores.users.get(USER.address))?.passwordHash, "$scrypt$y");
  await stores.users.remove(USER.address);
  equal(await stores.users.get(USER.address), undefined);

  deepEqual(await stores.networks.list(), []);
  await stores.networks.add("192.0.2.0/24");
  deepEqual(await stores.networks.list(), ["192.0.2.0/24"]);
  await stores.networks.remove("192.0.2.0/24");
  deepEqual(await stores.networks.list(), []);

  deepEqual(await stores.senders.list(USER.address), []);
  await stores.senders.add(USER.address, "@domain.de");
  deepEqual(await stores.senders.list(USER.address), ["@domain.de"]);
  await stores.senders.remove(USER.address, "@domain.de");
  deepEqual(await stores.senders.list(USER.address), []);

  const selectors = async () => (await stores.dkim.get("domain.de")).map((key) => key.selector);
  deepEqual(await selectors(), []);
  await stores.dkim.put({ ...DKIM_KEY, selector: "s1" });
  deepEqual(await selectors(), ["s1"]);
  await stores.dkim.put({ ...DKIM_KEY, selector: "s2" });
  deepEqual(await selectors(), ["s1", "s2"]);
  await stores.dkim.remove("domain.de", "s1");
  deepEqual(await selectors(), ["s2"]);
  await stores.dkim.removeDomain("domain.de");
  deepEqual(await selectors(), []);
});

Deno.test("read cache: a change made behind its back shows after maxAgeMs", async () => {
  const { backing, stores, clock } = countedStores();
  equal(await stores.domains.has("domain.de"), false);
  await backing.domains.add("domain.de");
  clock.now = 1_999;
  equal(await stores.domains.has("domain.de"), false);
  clock.now = 2_000;
  equal(await stores.domains.has("domain.de"), true);
});

Deno.test("read cache: a read that overlapped a write is not kept", async () => {
  const { backing, stores } = countedStores();
  let release = () => {};
  const gate = new Promise<void>((resolve) => release = resolve);
  const slowGet = backing.users.get.bind(backing.users);
  // The first read sees "no such user", but answers only after the user was created.
  backing.users.get = async (address) => {
    const answer = await slowGet(address);
    await gate;
    return answer;
  };
  const stale = stores.users.get(USER.address);
  await stores.users.put(USER);
  release();
  equal(await stale, undefined);
  backing.users.get = slowGet;
  equal((await stores.users.get(USER.address))?.address, USER.address);
});

Deno.test("read cache: failures are not cached", async () => {
  const { backing, stores, reads } = countedStores();
  const has = backing.domains.has.bind(backing.domains);
  backing.domains.has = () => Promise.reject(new Error("store down"));
  await rejects(stores.domains.has("domain.de"), /store down/);
  backing.domains.has = has;
  equal(await stores.domains.has("domain.de"), false);
  equal(reads.domains, 2);
});

Deno.test("read cache: records and lists are copies", async () => {
  const { stores } = countedStores();
  await stores.users.put(USER);
  const user = (await stores.users.get(USER.address))!;
  user.passwordHash = "changed by the caller";
  equal((await stores.users.get(USER.address))?.passwordHash, "$scrypt$x");
  await stores.networks.add("192.0.2.0/24");
  (await stores.networks.list()).push("0.0.0.0/0");
  deepEqual(await stores.networks.list(), ["192.0.2.0/24"]);
});

Deno.test("read cache: holds at most maxEntries per store, dropping the oldest", async () => {
  const { stores, reads } = countedStores({ maxEntries: 2 });
  await stores.domains.has("a.test");
  await stores.domains.has("b.test");
  await stores.domains.has("c.test");
  equal(reads.domains, 3);
  await stores.domains.has("c.test");
  await stores.domains.has("b.test");
  equal(reads.domains, 3);
  await stores.domains.has("a.test");
  equal(reads.domains, 4);
});
