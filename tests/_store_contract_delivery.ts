/**
 * The delivery-state half of the queue contract (see `store_contract.ts`):
 * `delivery`, `due` and `update`.
 *
 * @module
 */
import { deepEqual, equal, rejects } from "node:assert/strict";
import type { DeliveryState } from "../store/types.ts";
import { HELD_NEXT_ATTEMPT_AT, holdDelivery, releaseDelivery } from "../store/queue_hold.ts";
import {
  enqueue,
  envelope,
  type OpenStores,
  readAll,
  testBytes,
  withStores,
} from "./_store_helpers.ts";
import { test } from "./_portable.ts";

const T0 = 1_700_000_000_000;

function attempted(nextAttemptAt: number, reply: string): DeliveryState {
  return {
    nextAttemptAt,
    recipients: [
      { address: "one@example.org", status: "delivered", attempts: 1, lastReply: "250 ok" },
      {
        address: "two@example.org",
        status: "queued",
        attempts: 1,
        lastReply: reply,
        lastAttemptAt: T0 + 1,
      },
    ],
  };
}

/** Registers the delivery-state tests of the contract. */
export function registerDeliveryContract(name: string, open: OpenStores): void {
  test(`${name}: a held message keeps its hold, is never due, and is due again on release`, () =>
    withStores(open, async ({ queue }) => {
      const message = await enqueue(queue, testBytes(10), {
        envelope: envelope({ receivedAt: T0 }),
      });
      const held = holdDelivery(attempted(T0 + 5, "451 later"));
      equal(await queue.update(message.id, held), true);
      deepEqual(await queue.delivery(message.id), { ...held, held: { dueAt: T0 + 5 } });
      equal((await queue.delivery(message.id))!.nextAttemptAt, HELD_NEXT_ATTEMPT_AT);
      deepEqual(await queue.due(T0 + 10 ** 12, 10), []);
      const released = releaseDelivery((await queue.delivery(message.id))!);
      equal(await queue.update(message.id, released), true);
      deepEqual(await queue.delivery(message.id), attempted(T0 + 5, "451 later"));
      deepEqual((await queue.due(T0 + 5, 10)).map((item) => item.message.id), [message.id]);
    }));

  test(`${name}: delivery starts queued, due at receivedAt`, () =>
    withStores(open, async ({ queue }) => {
      const message = await enqueue(queue, testBytes(10), {
        envelope: envelope({ receivedAt: T0 }),
      });
      deepEqual(await queue.delivery(message.id), {
        nextAttemptAt: T0,
        recipients: [
          { address: "one@example.org", status: "queued", attempts: 0 },
          { address: "two@example.org", status: "queued", attempts: 0 },
        ],
      });
      equal(await queue.delivery("0000000000000000dead"), undefined);
      deepEqual(await queue.due(T0 - 1, 10), []);
      deepEqual(await queue.due(T0, 10), [{
        message,
        delivery: (await queue.delivery(message.id))!,
      }]);
    }));

  test(`${name}: due lists earliest first, up to the limit, and not the future`, () =>
    withStores(open, async ({ queue }) => {
      const late = await enqueue(queue, testBytes(1), { envelope: envelope({ receivedAt: T0 }) });
      const early = await enqueue(queue, testBytes(2), {
        envelope: envelope({ receivedAt: T0 - 500 }),
      });
      const tied = await enqueue(queue, testBytes(3), { envelope: envelope({ receivedAt: T0 }) });
      const future = await enqueue(queue, testBytes(4), {
        envelope: envelope({ receivedAt: T0 + 1 }),
      });
      const ids = async (now: number, limit: number) =>
        (await queue.due(now, limit)).map((due) => due.message.id);
      deepEqual(await ids(T0, 10), [early.id, late.id, tied.id]);
      deepEqual(await ids(T0, 2), [early.id, late.id]);
      deepEqual(await ids(T0 + 1, 10), [early.id, late.id, tied.id, future.id]);
      await rejects(queue.due(T0, 0), RangeError);
    }));

  test(`${name}: update replaces the state and moves the message in due order`, () =>
    withStores(open, async ({ queue }) => {
      const body = testBytes(70_000, 3);
      const first = await enqueue(queue, body, { envelope: envelope({ receivedAt: T0 }) });
      const second = await enqueue(queue, testBytes(5), {
        envelope: envelope({ receivedAt: T0 + 10 }),
      });
      const state = attempted(T0 + 60_000, "451 4.3.0 try again later");
      equal(await queue.update(first.id, state), true);
      deepEqual(await queue.delivery(first.id), state);
      deepEqual((await queue.due(T0 + 59_999, 10)).map((due) => due.message.id), [second.id]);
      deepEqual(await queue.due(T0 + 60_000, 10), [
        { message: second, delivery: (await queue.delivery(second.id))! },
        { message: first, delivery: state },
      ]);
      deepEqual(await queue.get(first.id), first);
      deepEqual(await readAll(queue.readBody(first.id)), body);

      const sooner = attempted(T0 + 5, "connection refused");
      equal(await queue.update(first.id, sooner), true);
      deepEqual((await queue.due(T0 + 10, 10)).map((due) => due.message.id), [
        first.id,
        second.id,
      ]);
    }));

  test(`${name}: update of a missing message fails; a removed message is not due`, () =>
    withStores(open, async ({ queue }) => {
      const message = await enqueue(queue, testBytes(10), {
        envelope: envelope({ receivedAt: T0 }),
      });
      equal(await queue.update(message.id, attempted(T0 + 1, "x")), true);
      equal(await queue.remove(message.id), true);
      equal(await queue.update(message.id, attempted(T0 + 2, "y")), false);
      equal(await queue.delivery(message.id), undefined);
      deepEqual(await queue.due(T0 + 100, 10), []);
      equal(await queue.get(message.id), undefined);
    }));

  test(`${name}: delivery states are copied in and out`, () =>
    withStores(open, async ({ queue }) => {
      const message = await enqueue(queue, testBytes(10), {
        envelope: envelope({ receivedAt: T0 }),
      });
      const state = attempted(T0 + 1, "451 later");
      await queue.update(message.id, state);
      state.recipients[1].status = "bounced";
      state.recipients.push({ address: "x@example.org", status: "queued", attempts: 0 });
      (await queue.delivery(message.id))!.recipients[0].attempts = 99;
      (await queue.due(T0 + 1, 1))[0].delivery.recipients[1].lastReply = "changed";
      deepEqual(await queue.delivery(message.id), attempted(T0 + 1, "451 later"));
    }));
}
