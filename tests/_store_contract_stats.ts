/**
 * The queue-statistics part of the store contract (see `store_contract.ts`):
 * `stats()` after commits, holds, releases, updates and removals.
 *
 * @module
 */
import { deepEqual } from "node:assert/strict";
import type { DeliveryState, MessageQueue } from "../store/types.ts";
import { holdDelivery, releaseDelivery } from "../store/queue_hold.ts";
import {
  CHUNK,
  enqueue,
  envelope,
  type OpenStores,
  testBytes,
  withStores,
} from "./_store_helpers.ts";
import { test } from "./_portable.ts";

const T0 = 1_700_000_000_000;

async function deliveryOf(queue: MessageQueue, id: string): Promise<DeliveryState> {
  const delivery = await queue.delivery(id);
  if (delivery === undefined) throw new Error(`no delivery state for ${id}`);
  return delivery;
}

/** Registers the queue-statistics tests of the contract. */
export function registerQueueStatsContract(name: string, open: OpenStores): void {
  test(`${name}: queue stats of an empty queue`, () =>
    withStores(open, async ({ queue }) => {
      deepEqual(await queue.stats(), { messages: 0, held: 0, bytes: 0 });
      const writer = await queue.create();
      await writer.write(testBytes(10));
      deepEqual(await queue.stats(), { messages: 0, held: 0, bytes: 0 }, "uncommitted counts");
      await writer.abort();
      deepEqual(await queue.stats(), { messages: 0, held: 0, bytes: 0 });
    }));

  test(`${name}: queue stats count commits, holds, releases and removals`, () =>
    withStores(open, async ({ queue }) => {
      const first = await enqueue(queue, testBytes(100), {
        envelope: envelope({ receivedAt: T0 }),
      });
      const second = await enqueue(queue, testBytes(2 * CHUNK + 5, 2), {
        envelope: envelope({ receivedAt: T0 + 10 }),
      });
      const third = await enqueue(queue, testBytes(1, 3), {
        envelope: envelope({ receivedAt: T0 + 20 }),
      });
      const bytes = 100 + 2 * CHUNK + 5 + 1;
      deepEqual(await queue.stats(), { messages: 3, held: 0, bytes, oldestReceivedAt: T0 });

      const held = holdDelivery(await deliveryOf(queue, second.id));
      await queue.update(second.id, held);
      deepEqual(await queue.stats(), { messages: 3, held: 1, bytes, oldestReceivedAt: T0 });
      // Held again, and changed while held: still one.
      await queue.update(second.id, holdDelivery(held));
      await queue.update(second.id, { ...held, recipients: [] });
      deepEqual(await queue.stats(), { messages: 3, held: 1, bytes, oldestReceivedAt: T0 });
      // An update of a message that is not held changes no count.
      await queue.update(third.id, { nextAttemptAt: T0 + 60_000, recipients: [] });
      deepEqual((await queue.stats()).held, 1);

      await queue.update(second.id, releaseDelivery(await deliveryOf(queue, second.id)));
      deepEqual(await queue.stats(), { messages: 3, held: 0, bytes, oldestReceivedAt: T0 });
      await queue.update(second.id, releaseDelivery(await deliveryOf(queue, second.id)));
      deepEqual((await queue.stats()).held, 0, "releasing what is not held");

      await queue.update(second.id, holdDelivery(await deliveryOf(queue, second.id)));
      await queue.remove(second.id);
      await queue.remove(second.id);
      deepEqual(await queue.stats(), {
        messages: 2,
        held: 0,
        bytes: 101,
        oldestReceivedAt: T0,
      }, "a held message removed");
      await queue.remove(first.id);
      deepEqual(await queue.stats(), {
        messages: 1,
        held: 0,
        bytes: 1,
        oldestReceivedAt: T0 + 20,
      });
      await queue.update(third.id, holdDelivery(await deliveryOf(queue, third.id)));
      await queue.remove(third.id);
      deepEqual(await queue.stats(), { messages: 0, held: 0, bytes: 0 });
    }));

  test(`${name}: queue stats after a bounce replaces an expired message`, () =>
    withStores(open, async ({ queue }) => {
      // What the delivery worker does when a message's lifetime ran out.
      const expired = await enqueue(queue, testBytes(300), {
        envelope: envelope({ receivedAt: T0 }),
      });
      await queue.update(expired.id, {
        nextAttemptAt: T0 + 60_000,
        recipients: [{ address: "one@example.org", status: "queued", attempts: 3 }],
      });
      const bounce = await enqueue(queue, testBytes(900, 4), {
        envelope: envelope({ from: "", to: ["sender@example.net"], receivedAt: T0 + 99 }),
      });
      await queue.remove(expired.id);
      deepEqual(await queue.stats(), {
        messages: 1,
        held: 0,
        bytes: bounce.size,
        oldestReceivedAt: T0 + 99,
      });
    }));

  test(`${name}: queue removes a message once when removals race`, () =>
    withStores(open, async ({ queue }) => {
      const kept = await enqueue(queue, testBytes(5));
      const raced = await enqueue(queue, testBytes(7));
      const results = await Promise.all([queue.remove(raced.id), queue.remove(raced.id)]);
      deepEqual(results.sort(), [false, true]);
      deepEqual(await queue.stats(), {
        messages: 1,
        held: 0,
        bytes: 5,
        oldestReceivedAt: kept.receivedAt,
      });
    }));

  test(`${name}: queue stats stay exact under concurrent commits, holds and removals`, () =>
    withStores(open, async ({ queue }) => {
      const messages = await Promise.all(
        Array.from({ length: 24 }, (_, n) => enqueue(queue, testBytes(n + 1, n + 1))),
      );
      await Promise.all(messages.map(async (message, n) => {
        if (n % 3 === 0) await queue.remove(message.id);
        if (n % 3 === 1) {
          await queue.update(message.id, holdDelivery(await deliveryOf(queue, message.id)));
        }
      }));
      const kept = messages.filter((_, n) => n % 3 !== 0);
      const bytes = kept.reduce((sum, message) => sum + message.size, 0);
      const oldestReceivedAt = kept[0].receivedAt;
      deepEqual(await queue.stats(), { messages: 16, held: 8, bytes, oldestReceivedAt });
    }));
}
