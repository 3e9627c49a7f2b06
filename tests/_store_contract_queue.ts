/**
 * The message-queue half of the store contract (see `store_contract.ts`).
 *
 * @module
 */
import { deepEqual, equal, rejects } from "node:assert/strict";
import type { MessageQueue, QueuedMessage } from "../store/types.ts";
import {
  CHUNK,
  enqueue,
  envelope,
  type OpenStores,
  readAll,
  testBytes,
  withStores,
} from "./_store_helpers.ts";
import { test } from "./_portable.ts";

async function listAll(queue: MessageQueue, limit: number): Promise<QueuedMessage[][]> {
  const pages: QueuedMessage[][] = [];
  let cursor: string | undefined;
  do {
    const page = await queue.list({ limit, cursor });
    pages.push(page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return pages;
}

/** Registers the queue tests of the contract. */
export function registerQueueContract(name: string, open: OpenStores): void {
  test(`${name}: queue commit, list, get, readBody, remove`, () =>
    withStores(open, async ({ queue }) => {
      const body = new TextEncoder().encode("Received: from x\r\nSubject: hi\r\n\r\nhello\r\n");
      const writer = await queue.create();
      await writer.write(body);
      const message = await writer.commit(envelope({ authUser: "test@domain.de" }));
      deepEqual(message, {
        ...envelope({ authUser: "test@domain.de" }),
        id: writer.id,
        size: body.byteLength,
      });
      deepEqual(await queue.list({ limit: 10 }), { items: [message] });
      deepEqual(await queue.get(writer.id), message);
      deepEqual(await readAll(queue.readBody(writer.id)), body);
      equal(await queue.remove(writer.id), true);
      equal(await queue.remove(writer.id), false);
      equal(await queue.get(writer.id), undefined);
      deepEqual(await queue.list({ limit: 10 }), { items: [] });
      await rejects(readAll(queue.readBody(writer.id)), RangeError);
    }));

  test(`${name}: queue keeps the null sender and omits a missing authUser`, () =>
    withStores(open, async ({ queue }) => {
      const message = await enqueue(queue, testBytes(10), { envelope: envelope({ from: "" }) });
      const stored = await queue.get(message.id);
      equal(stored?.from, "");
      equal(stored !== undefined && "authUser" in stored, false);
    }));

  test(`${name}: queue hands out copies and keeps its own`, () =>
    withStores(open, async ({ queue }) => {
      const to = ["one@example.org"];
      const message = await enqueue(queue, testBytes(10), { envelope: envelope({ to }) });
      to.push("late@example.org");
      message.to.push("returned@example.org");
      (await queue.get(message.id))!.to.push("got@example.org");
      (await queue.list({ limit: 1 })).items[0].to.push("listed@example.org");
      deepEqual((await queue.get(message.id))!.to, ["one@example.org"]);
    }));

  test(`${name}: queue copies written bytes before write resolves`, () =>
    withStores(open, async ({ queue }) => {
      const writer = await queue.create();
      const buffer = new Uint8Array(4).fill(1);
      await writer.write(buffer);
      buffer.fill(2);
      await writer.write(buffer);
      buffer.fill(3);
      await writer.commit(envelope());
      deepEqual(await readAll(queue.readBody(writer.id)), new Uint8Array([1, 1, 1, 1, 2, 2, 2, 2]));
    }));

  test(`${name}: queue hides uncommitted messages`, () =>
    withStores(open, async ({ queue }) => {
      const pending = await queue.create();
      await pending.write(testBytes(CHUNK + 1));
      const committed = await enqueue(queue, testBytes(5));
      deepEqual((await queue.list({ limit: 10 })).items.map((m) => m.id), [committed.id]);
      equal(await queue.get(pending.id), undefined);
      await rejects(readAll(queue.readBody(pending.id)), RangeError);
      equal(await queue.remove(pending.id), false);
      await pending.commit(envelope());
      deepEqual((await queue.list({ limit: 10 })).items.map((m) => m.id), [
        pending.id,
        committed.id,
      ]);
    }));

  test(`${name}: queue abort leaves nothing and may repeat`, () =>
    withStores(open, async ({ queue }) => {
      const writer = await queue.create();
      await writer.write(testBytes(3 * CHUNK + 5));
      await writer.abort();
      await writer.abort();
      const empty = await queue.create();
      await empty.abort();
      deepEqual(await queue.list({ limit: 10 }), { items: [] });
      equal(await queue.get(writer.id), undefined);
      await rejects(writer.commit(envelope()), TypeError);
      await rejects(writer.write(testBytes(1)), TypeError);
      equal(await queue.get(writer.id), undefined);
    }));

  test(`${name}: queue writer refuses to write or commit after commit; abort keeps it`, () =>
    withStores(open, async ({ queue }) => {
      const writer = await queue.create();
      await writer.write(testBytes(10));
      const message = await writer.commit(envelope());
      await rejects(writer.write(testBytes(1)), TypeError);
      await rejects(writer.commit(envelope()), TypeError);
      await writer.abort();
      deepEqual(await queue.get(writer.id), message);
      deepEqual(await readAll(queue.readBody(writer.id)), testBytes(10));
    }));

  for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1]) {
    test(`${name}: queue round-trips a ${size}-byte body`, () =>
      withStores(open, async ({ queue }) => {
        const body = testBytes(size, size + 7);
        const message = await enqueue(queue, body, { pieceSize: 1000 });
        equal(message.size, size);
        deepEqual(await readAll(queue.readBody(message.id)), body);
      }));
  }

  test(`${name}: queue round-trips a 5 MiB body written in odd and oversized pieces`, () =>
    withStores(open, async ({ queue }) => {
      const body = testBytes(5 * 1024 * 1024 + 17, 99);
      const odd = await enqueue(queue, body, { pieceSize: 7919 });
      const large = await enqueue(queue, body, { pieceSize: 3 * CHUNK + 11 });
      const whole = await enqueue(queue, body, { pieceSize: body.byteLength });
      for (const message of [odd, large, whole]) {
        equal(message.size, body.byteLength);
        deepEqual(await readAll(queue.readBody(message.id)), body);
      }
    }));

  test(`${name}: queue ids are unique and sort by creation, whatever the commit order`, () =>
    withStores(open, async ({ queue }) => {
      const writers = [];
      for (let i = 0; i < 30; i++) writers.push(await queue.create());
      const ids = writers.map((w) => w.id);
      deepEqual([...ids].sort(), ids);
      equal(new Set(ids).size, ids.length);
      for (const writer of [...writers].reverse()) await writer.commit(envelope());
      deepEqual((await queue.list({ limit: 100 })).items.map((m) => m.id), ids);
    }));

  test(`${name}: queue list pages oldest first with a cursor`, () =>
    withStores(open, async ({ queue }) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await enqueue(queue, testBytes(i + 1, i + 1))).id);
      const pages = await listAll(queue, 2);
      deepEqual(pages.map((page) => page.map((m) => m.id)), [
        ids.slice(0, 2),
        ids.slice(2, 4),
        ids.slice(4),
      ]);
      deepEqual(pages.flat().map((m) => m.size), [1, 2, 3, 4, 5]);
      deepEqual((await listAll(queue, 5)).length, 1);
      await rejects(queue.list({ limit: 0 }), RangeError);
    }));
}
