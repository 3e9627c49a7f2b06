/**
 * The KV queue's counters beyond the contract: a database written before
 * they existed, and two handles (as two processes would) on one file.
 *
 * @module
 */
import { deepEqual, equal } from "node:assert/strict";
import { KvMessageQueue } from "../store/kv/kv_queue.ts";
import type { QueueEntry } from "../store/kv/kv_keys.ts";
import { holdDelivery } from "../store/queue_hold.ts";
import type { MessageQueue, QueuedMessage } from "../store/types.ts";
import { enqueue, envelope, testBytes } from "./_store_helpers.ts";
import { withTempDir } from "./_data_dir.ts";

const T0 = 1_700_000_000_000;

async function withKvFile(body: (path: string) => Promise<void>): Promise<void> {
  await withTempDir("tollgate-kv-stats-", (dir) => body(`${dir}/store.kv`));
}

/** Makes the database look as the version before the counters left it. */
async function forgetCounters(kv: Deno.Kv, options: { dropDeliveryOf?: string } = {}) {
  for await (const entry of kv.list<QueueEntry>({ prefix: ["queue"] })) {
    const { counted: _, ...older } = entry.value;
    if (older.message.id === options.dropDeliveryOf) delete older.delivery;
    await kv.set(entry.key, older);
  }
  for await (const entry of kv.list({ prefix: ["queue-stats"] })) await kv.delete(entry.key);
}

async function hold(queue: MessageQueue, id: string): Promise<void> {
  equal(await queue.update(id, holdDelivery((await queue.delivery(id))!)), true);
}

function enqueueMany(queue: MessageQueue, count: number): Promise<QueuedMessage[]> {
  return Promise.all(
    Array.from({ length: count }, (_, n) =>
      enqueue(queue, testBytes(n + 1, n + 1), {
        envelope: envelope({ receivedAt: T0 + n }),
      })),
  );
}

const sizeOf = (messages: QueuedMessage[]) => messages.reduce((sum, m) => sum + m.size, 0);

Deno.test("kv stats: a database written before the counters is counted once", () =>
  withKvFile(async (path) => {
    const kv = await Deno.openKv(path);
    try {
      const before = new KvMessageQueue(kv, Date.now);
      const [first, second, third] = await enqueueMany(before, 3);
      await hold(before, second.id);
      await forgetCounters(kv, { dropDeliveryOf: third.id });

      const queue = new KvMessageQueue(kv, Date.now);
      const bytes = sizeOf([first, second, third]);
      deepEqual(await queue.stats(), { messages: 3, held: 1, bytes, oldestReceivedAt: T0 });
      deepEqual(await queue.stats(), { messages: 3, held: 1, bytes, oldestReceivedAt: T0 });
      equal(await queue.remove(second.id), true);
      const fourth = await enqueue(queue, testBytes(7));
      deepEqual(await new KvMessageQueue(kv, Date.now).stats(), {
        messages: 3,
        held: 0,
        bytes: sizeOf([first, third, fourth]),
        oldestReceivedAt: T0,
      });
    } finally {
      kv.close();
    }
  }));

Deno.test("kv stats: older entries removed and held while they are counted count once", () =>
  withKvFile(async (path) => {
    const kv = await Deno.openKv(path);
    try {
      const messages = await enqueueMany(new KvMessageQueue(kv, Date.now), 60);
      await forgetCounters(kv);
      const queue = new KvMessageQueue(kv, Date.now);
      const removed = messages.filter((_, n) => n % 4 === 0);
      const held = messages.filter((_, n) => n % 4 === 1);
      await Promise.all([
        queue.stats(),
        ...removed.map((message) => queue.remove(message.id)),
        ...held.map((message) => hold(queue, message.id)),
        queue.stats(),
      ]);
      const kept = messages.filter((_, n) => n % 4 !== 0);
      deepEqual(await queue.stats(), {
        messages: kept.length,
        held: held.length,
        bytes: sizeOf(kept),
        oldestReceivedAt: kept[0].receivedAt,
      });
    } finally {
      kv.close();
    }
  }));

Deno.test("kv stats: two handles on one file (two processes) keep the counters exact", () =>
  withKvFile(async (path) => {
    // Two handles writing at the same instant get "database is locked" (see
    // kv_stores.ts): their writes take turns here, each handle's at once.
    const [kvA, kvB] = [await Deno.openKv(path), await Deno.openKv(path)];
    try {
      const [a, b] = [new KvMessageQueue(kvA, Date.now), new KvMessageQueue(kvB, Date.now)];
      const fromA = await enqueueMany(a, 30);
      const fromB = await enqueueMany(b, 30);
      // Each removes a third of the other's messages and holds another third.
      for (const [queue, messages] of [[b, fromA], [a, fromB]] as const) {
        await Promise.all(messages.map(async (message, n) => {
          if (n % 3 === 0) equal(await queue.remove(message.id), true);
          if (n % 3 === 1) await hold(queue, message.id);
        }));
      }
      const kept = [...fromA, ...fromB].filter((_, n) => n % 3 !== 0);
      // The first message of either (n = 1) is the oldest left.
      const expected = { messages: 40, held: 20, bytes: sizeOf(kept), oldestReceivedAt: T0 + 1 };
      deepEqual(await a.stats(), expected);
      deepEqual(await b.stats(), expected);
    } finally {
      kvA.close();
      kvB.close();
    }
  }));
