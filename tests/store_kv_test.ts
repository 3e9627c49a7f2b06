import { deepEqual, equal, rejects } from "node:assert/strict";
import { KvMessageQueue } from "../store/kv/kv_queue.ts";
import { KvLoginAttemptStore } from "../store/kv/kv_login_attempts.ts";
import { openKvStores } from "../runtime/deno/kv_open.ts";
import { deleteSpool, SMALL_PART_SIZE, SPOOL_CHUNK_SIZE } from "../store/kv/kv_spool.ts";
import { runStoreContract } from "./store_contract.ts";
import { enqueue, envelope, readAll, testBytes } from "./_store_helpers.ts";
import { withTempDir } from "./_data_dir.ts";

/** Login attempts in a fresh in-memory KV database. */
async function kvAttempts() {
  const kv = await Deno.openKv(":memory:");
  return { attempts: new KvLoginAttemptStore(kv), close: () => kv.close() };
}

runStoreContract("kv :memory:", () => openKvStores(":memory:"), kvAttempts);

runStoreContract("kv file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-kv-" });
  const opened = await openKvStores(`${dir}/store.kv`);
  return {
    stores: opened.stores,
    close: async () => {
      opened.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}, kvAttempts);

runStoreContract("kv file with body files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-kv-" });
  const opened = await openKvStores(`${dir}/store.kv`, { bodyDir: `${dir}/bodies` });
  return {
    stores: opened.stores,
    close: async () => {
      opened.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}, kvAttempts);

/** Runs `body` with a fresh temp folder, removed afterwards. */
const withKvDir = (body: (dir: string) => Promise<void>) => withTempDir("tollgate-kv-", body);

/**
 * Every key in the database at `path` but the queue's counters (which stay,
 * at zero when the queue is empty), as JSON, sorted by KV order.
 */
async function keysIn(path: string): Promise<string[]> {
  const kv = await Deno.openKv(path);
  try {
    const keys: string[] = [];
    for await (const entry of kv.list({ prefix: [] })) {
      if (entry.key[0] !== "queue-stats") keys.push(JSON.stringify(entry.key));
    }
    return keys;
  } finally {
    kv.close();
  }
}

Deno.test("kv: a reopened file keeps everything written, in a folder it created", () =>
  withKvDir(async (dir) => {
    const path = `${dir}/nested/data/store.kv`;
    const body = testBytes(2 * SPOOL_CHUNK_SIZE + 3);
    const first = await openKvStores(path);
    await first.stores.domains.add("example.net");
    await first.stores.networks.add("192.0.2.0/24");
    await first.stores.users.put({ address: "a@example.net", passwordHash: "$h", updatedAt: 5 });
    const message = await enqueue(first.stores.queue, body);
    first.close();

    const second = await openKvStores(path);
    try {
      equal(second.abandonedSpools, 0);
      deepEqual(await second.stores.domains.list(), ["example.net"]);
      deepEqual(await second.stores.networks.list(), ["192.0.2.0/24"]);
      deepEqual(await second.stores.users.get("a@example.net"), {
        address: "a@example.net",
        passwordHash: "$h",
        updatedAt: 5,
      });
      deepEqual(await second.stores.queue.get(message.id), message);
      deepEqual(await readAll(second.stores.queue.readBody(message.id)), body);
    } finally {
      second.close();
    }
  }));

/** The sizes of the spool chunks of `id` in the database at `path`, in key order. */
async function chunkSizes(path: string, id: string): Promise<number[]> {
  const kv = await Deno.openKv(path);
  try {
    const sizes: number[] = [];
    for await (const chunk of kv.list<Uint8Array>({ prefix: ["spool", id] })) {
      sizes.push(chunk.value.byteLength);
    }
    return sizes;
  } finally {
    kv.close();
  }
}

Deno.test("kv: a body is stored in chunks of at most 60 KiB", () =>
  withKvDir(async (dir) => {
    const path = `${dir}/store.kv`;
    const opened = await openKvStores(path);
    const message = await enqueue(opened.stores.queue, testBytes(2 * SPOOL_CHUNK_SIZE + 1), {
      pieceSize: 50_000,
    });
    opened.close();
    deepEqual(await chunkSizes(path, message.id), [SPOOL_CHUNK_SIZE, SPOOL_CHUNK_SIZE, 1]);
  }));

Deno.test("kv: a small body, or a body's small tail, is stored in parts that fit SQLite's page", () =>
  withKvDir(async (dir) => {
    const path = `${dir}/store.kv`;
    const cases: [number, number[]][] = [
      [1, [1]],
      [SMALL_PART_SIZE, [SMALL_PART_SIZE]],
      [SMALL_PART_SIZE + 1, [451, 450]],
      [1200, [600, 600]],
      [3 * SMALL_PART_SIZE, [SMALL_PART_SIZE, SMALL_PART_SIZE, SMALL_PART_SIZE]],
      [3 * SMALL_PART_SIZE + 1, [3 * SMALL_PART_SIZE + 1]],
      [SPOOL_CHUNK_SIZE + 1200, [SPOOL_CHUNK_SIZE, 600, 600]],
      // Read back four chunks at a time: six are two reads.
      [4 * SPOOL_CHUNK_SIZE + 1200, [...Array(4).fill(SPOOL_CHUNK_SIZE), 600, 600]],
    ];
    const opened = await openKvStores(path);
    const queued = [];
    for (const [n, [size]] of cases.entries()) {
      const body = testBytes(size, n + 1);
      queued.push({ body, message: await enqueue(opened.stores.queue, body, { pieceSize: 700 }) });
    }
    for (const { body, message } of queued) {
      deepEqual(await readAll(opened.stores.queue.readBody(message.id)), body);
    }
    opened.close();
    for (const [n, [, sizes]] of cases.entries()) {
      deepEqual(await chunkSizes(path, queued[n].message.id), sizes, `a body of ${cases[n][0]}`);
    }
  }));

Deno.test("kv: remove and abort leave no key behind", () =>
  withKvDir(async (dir) => {
    const path = `${dir}/store.kv`;
    const opened = await openKvStores(path);
    const removed = await enqueue(opened.stores.queue, testBytes(3 * SPOOL_CHUNK_SIZE));
    equal(await opened.stores.queue.remove(removed.id), true);
    const aborted = await opened.stores.queue.create();
    await aborted.write(testBytes(2 * SPOOL_CHUNK_SIZE + 9));
    await aborted.abort();
    opened.close();
    deepEqual(await keysIn(path), []);
  }));

Deno.test("kv: opening deletes a spool left by a crash mid-DATA, and nothing else", () =>
  withKvDir(async (dir) => {
    const path = `${dir}/store.kv`;
    const opened = await openKvStores(path);
    const kept = await enqueue(opened.stores.queue, testBytes(SPOOL_CHUNK_SIZE + 1));
    opened.close();

    const crashed = "018c2f5a1b0000000001";
    const kv = await Deno.openKv(path);
    await kv.set(["spool-pending", crashed], 0);
    await kv.set(["spool", crashed, 0], testBytes(SPOOL_CHUNK_SIZE));
    await kv.set(["spool", crashed, 1], testBytes(SPOOL_CHUNK_SIZE));
    kv.close();

    const reopened = await openKvStores(path);
    try {
      equal(reopened.abandonedSpools, 1);
      deepEqual((await reopened.stores.queue.list({ limit: 10 })).items, [kept]);
      deepEqual(
        await readAll(reopened.stores.queue.readBody(kept.id)),
        testBytes(SPOOL_CHUNK_SIZE + 1),
      );
    } finally {
      reopened.close();
    }
    deepEqual(await keysIn(path), [
      JSON.stringify(["queue", kept.id]),
      JSON.stringify(["queue-due", kept.receivedAt, kept.id]),
      JSON.stringify(["spool", kept.id, 0]),
      JSON.stringify(["spool", kept.id, 1]),
    ]);
  }));

Deno.test("kv: a commit fails when its spool was cleaned up meanwhile", () =>
  withKvDir(async (dir) => {
    const path = `${dir}/store.kv`;
    const opened = await openKvStores(path);
    try {
      const writer = await opened.stores.queue.create();
      await writer.write(testBytes(SPOOL_CHUNK_SIZE + 5));
      const other = await openKvStores(path);
      equal(other.abandonedSpools, 1);
      other.close();
      await rejects(writer.commit(envelope()), /spool was removed/);
      await writer.abort();
      deepEqual(await opened.stores.queue.list({ limit: 10 }), { items: [] });
    } finally {
      opened.close();
    }
    deepEqual(await keysIn(path), []);
  }));

Deno.test("kv: opening keeps a queued body next to a stray pending marker", () =>
  withKvDir(async (dir) => {
    const path = `${dir}/store.kv`;
    const opened = await openKvStores(path);
    const kept = await enqueue(opened.stores.queue, testBytes(SPOOL_CHUNK_SIZE + 1));
    opened.close();
    const kv = await Deno.openKv(path);
    await kv.set(["spool-pending", kept.id], 0);
    kv.close();

    const reopened = await openKvStores(path);
    try {
      equal(reopened.abandonedSpools, 1);
      deepEqual(
        await readAll(reopened.stores.queue.readBody(kept.id)),
        testBytes(SPOOL_CHUNK_SIZE + 1),
      );
    } finally {
      reopened.close();
    }
    equal((await keysIn(path)).includes(JSON.stringify(["spool-pending", kept.id])), false);
  }));

Deno.test("kv: deleting the spool of a queued message is refused", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const queue = new KvMessageQueue(kv, () => 1);
    const message = await enqueue(queue, testBytes(10));
    await rejects(deleteSpool(kv, message.id, [["spool", message.id, 0]]), /is queued/);
    deepEqual(await readAll(queue.readBody(message.id)), testBytes(10));
  } finally {
    kv.close();
  }
});

Deno.test("kv: a body that fits in one chunk writes nothing before its commit", () =>
  withKvDir(async (dir) => {
    const path = `${dir}/store.kv`;
    const opened = await openKvStores(path);
    const writer = await opened.stores.queue.create();
    await writer.write(testBytes(SPOOL_CHUNK_SIZE - 1));
    // A crash here (the file closed mid-DATA) leaves nothing to clean up.
    opened.close();
    deepEqual(await keysIn(path), []);
    const reopened = await openKvStores(path);
    equal(reopened.abandonedSpools, 0);
    reopened.close();
  }));

Deno.test("kv: the pending marker is written with the first full chunk, dropped at commit", () =>
  withKvDir(async (dir) => {
    const path = `${dir}/store.kv`;
    const opened = await openKvStores(path);
    const writer = await opened.stores.queue.create();
    await writer.write(testBytes(SPOOL_CHUNK_SIZE + 1));
    deepEqual(await keysIn(path), [
      JSON.stringify(["spool", writer.id, 0]),
      JSON.stringify(["spool-pending", writer.id]),
    ]);
    const message = await writer.commit(envelope());
    opened.close();
    deepEqual(await keysIn(path), [
      JSON.stringify(["queue", message.id]),
      JSON.stringify(["queue-due", message.receivedAt, message.id]),
      JSON.stringify(["spool", message.id, 0]),
      JSON.stringify(["spool", message.id, 1]),
    ]);
  }));

Deno.test("kv: a commit fails when another writer holds its id; abort leaves that writer's keys", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const queue = new KvMessageQueue(kv, () => 1);
    const writer = await queue.create();
    await writer.write(testBytes(10));
    await kv.set(["spool-pending", writer.id], 0);
    await rejects(writer.commit(envelope()), /id is taken/);
    await writer.abort();
    equal((await kv.get(["spool-pending", writer.id])).value, 0);
    equal(await queue.get(writer.id), undefined);
  } finally {
    kv.close();
  }
});

Deno.test("kv: messages committed together share one KV commit (one fsync)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let commits = 0;
    const counting = new Proxy(kv, {
      get(target, property) {
        if (property !== "atomic") {
          const value = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return () => {
          const operation = target.atomic();
          const commit = operation.commit.bind(operation);
          operation.commit = () => {
            commits++;
            return commit();
          };
          return operation;
        };
      },
    });
    const queue = new KvMessageQueue(counting, () => 1);
    const writers = await Promise.all(Array.from({ length: 20 }, () => queue.create()));
    for (const [n, writer] of writers.entries()) await writer.write(testBytes(1024, n + 1));
    equal(commits, 0);
    const messages = await Promise.all(writers.map((writer) => writer.commit(envelope())));
    equal(commits, 1);
    equal((await queue.list({ limit: 100 })).items.length, 20);
    for (const [n, message] of messages.entries()) {
      deepEqual(await readAll(queue.readBody(message.id)), testBytes(1024, n + 1));
    }
  } finally {
    kv.close();
  }
});
