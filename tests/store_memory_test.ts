import { deepEqual, equal } from "node:assert/strict";
import { createMemoryStores, MemoryLoginAttemptStore, MemoryMessageQueue } from "../store/mod.ts";
import { runStoreContract } from "./store_contract.ts";
import { envelope, readAll, testBytes } from "./_store_helpers.ts";
import { test } from "./_portable.ts";

runStoreContract(
  "memory",
  () => Promise.resolve({ stores: createMemoryStores(() => Date.now()), close: () => {} }),
  () => Promise.resolve({ attempts: new MemoryLoginAttemptStore(), close: () => {} }),
);

test("memory queue: ids come from the injected clock and random source", async () => {
  const queue = new MemoryMessageQueue(() => 0x18c2f5a1b00, {
    randomBytes: (n) => new Uint8Array(n).fill(0xff),
  });
  const first = await queue.create();
  const second = await queue.create();
  equal(first.id, "018c2f5a1b007fffffff");
  equal(second.id, "018c2f5a1b0080000000");
});

test("memory queue: a committed body reads back as written", async () => {
  const queue = new MemoryMessageQueue(() => 1);
  const writer = await queue.create();
  await writer.write(testBytes(3));
  await writer.write(testBytes(4, 2));
  await writer.commit(envelope());
  const parts = [];
  for await (const part of queue.readBody(writer.id)) parts.push(part);
  deepEqual(parts, [testBytes(3), testBytes(4, 2)]);
  deepEqual(
    await readAll(queue.readBody(writer.id)),
    new Uint8Array([...testBytes(3), ...testBytes(4, 2)]),
  );
});
