/**
 * qmail's trigger: the queue tells the delivery worker when a message was
 * committed or made due, so new mail goes out at once instead of at the
 * next poll.
 *
 * @module
 */
import type { DeliveryState, MessageQueue, SpoolWriter } from "../store/types.ts";

/**
 * Wraps a queue so that `onDue` is called after every commit and after an
 * update that makes a message due by `now()`; everything else passes through.
 *
 * @example
 * ```ts
 * import { MemoryMessageQueue } from "../store/memory/stores.ts";
 * import { withTrigger } from "./queue_trigger.ts";
 * let pulls = 0;
 * const queue = withTrigger(new MemoryMessageQueue(() => 0), () => pulls++);
 * const writer = await queue.create();
 * await writer.commit({ from: "", to: ["b@example.net"], clientAddress: "::1", helo: "h", receivedAt: 0 });
 * console.log(pulls); // 1
 * ```
 */
export function withTrigger(
  queue: MessageQueue,
  onDue: () => void,
  now: () => number = Date.now,
): MessageQueue {
  return {
    async create(): Promise<SpoolWriter> {
      const writer = await queue.create();
      return {
        id: writer.id,
        write: (chunk) => writer.write(chunk),
        abort: () => writer.abort(),
        async commit(envelope) {
          const message = await writer.commit(envelope);
          onDue();
          return message;
        },
      };
    },
    list: (page) => queue.list(page),
    get: (id) => queue.get(id),
    readBody: (id) => queue.readBody(id),
    remove: (id) => queue.remove(id),
    delivery: (id) => queue.delivery(id),
    due: (at, limit) => queue.due(at, limit),
    stats: () => queue.stats(),
    async update(id: string, delivery: DeliveryState): Promise<boolean> {
      const updated = await queue.update(id, delivery);
      if (updated && delivery.nextAttemptAt <= now()) onDue();
      return updated;
    },
  };
}
