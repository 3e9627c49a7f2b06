import { deepEqual, equal } from "node:assert/strict";
import { openKvStores } from "../runtime/deno/kv_open.ts";
import { enqueue, envelope, testBytes } from "./_store_helpers.ts";

Deno.test("kv: a message queued before delivery existed becomes due with a fresh state", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-kv-" });
  try {
    const path = `${dir}/store.kv`;
    const first = await openKvStores(path);
    const message = await enqueue(first.stores.queue, testBytes(10), {
      envelope: envelope({ receivedAt: 1000 }),
    });
    first.close();

    // Rewrite the entry as the previous version stored it: no delivery, no index key, no counters.
    const kv = await Deno.openKv(path);
    const entry = await kv.get<{ message: unknown; chunks: number }>(["queue", message.id]);
    await kv.set(["queue", message.id], { message: entry.value!.message, chunks: 1 });
    await kv.delete(["queue-due", 1000, message.id]);
    for await (const counter of kv.list({ prefix: ["queue-stats"] })) await kv.delete(counter.key);
    kv.close();

    const second = await openKvStores(path);
    try {
      const due = await second.stores.queue.due(1000, 10);
      deepEqual(due.map((item) => item.message), [message]);
      deepEqual(due[0].delivery, {
        nextAttemptAt: 1000,
        recipients: [
          { address: "one@example.org", status: "queued", attempts: 0 },
          { address: "two@example.org", status: "queued", attempts: 0 },
        ],
      });
      equal(await second.stores.queue.remove(message.id), true);
      deepEqual(await second.stores.queue.due(1000, 10), []);
    } finally {
      second.close();
    }
    const check = await Deno.openKv(path);
    try {
      const keys = [];
      for await (const left of check.list({ prefix: [] })) keys.push(left.key);
      deepEqual(keys, []);
    } finally {
      check.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
