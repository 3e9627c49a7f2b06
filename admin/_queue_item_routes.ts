/**
 * `/api/queue/{id}`: one queued message with its delivery state, retrying it
 * now, and deleting it (without a bounce).
 *
 * @module
 */

import { Hono } from "hono";
import type { DeliveryState, MessageQueue, QueuedMessage } from "../store/types.ts";
import { messageView } from "./_queue_routes.ts";

/** What the queue item endpoints need besides the queue. */
export interface QueueItemDeps {
  /** The current time in ms since the epoch: "retry now" means due at this time. */
  now: () => number;
  /** One line per change. */
  log: (line: string) => void;
}

const QUEUE_ID = /^[0-9a-f]{20}$/;

/**
 * `GET /{id}` shows a message and, per recipient, its status (`queued`,
 * `delivered`, `bounced`), attempts, last reply and last attempt, and when
 * the next attempt is due; `POST /{id}/retry` makes it due now (`200`, the
 * same view); `DELETE /{id}` removes it without a bounce (`204`). An unknown
 * id is `404`, one that is not 20 hex digits `400`.
 */
export function queueItemRoutes(queue: MessageQueue, deps: QueueItemDeps): Hono {
  const app = new Hono();
  const read = async (id: string) => {
    const [message, delivery] = await Promise.all([queue.get(id), queue.delivery(id)]);
    return message && delivery ? { message, delivery } : undefined;
  };
  const invalid = (id: string) =>
    QUEUE_ID.test(id) ? undefined : { error: `Invalid queue id "${id}": expected 20 hex digits` };
  const missing = (id: string) => ({ error: `No queued message ${id}` });

  app.get("/:id", async (c) => {
    const id = c.req.param("id");
    const bad = invalid(id);
    if (bad) return c.json(bad, 400);
    const found = await read(id);
    return found ? c.json(itemView(found.message, found.delivery)) : c.json(missing(id), 404);
  });

  app.post("/:id/retry", async (c) => {
    const id = c.req.param("id");
    const bad = invalid(id);
    if (bad) return c.json(bad, 400);
    const found = await read(id);
    if (found?.delivery.held) {
      return c.json({ error: `Message ${id} is held; release it first` }, 409);
    }
    const delivery = found && { ...found.delivery, nextAttemptAt: deps.now() };
    if (!found || !delivery || !(await queue.update(id, delivery))) {
      return c.json(missing(id), 404);
    }
    deps.log(`queue ${id} retry now`);
    return c.json(itemView(found.message, delivery));
  });

  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    const bad = invalid(id);
    if (bad) return c.json(bad, 400);
    if (!(await queue.remove(id))) return c.json(missing(id), 404);
    deps.log(`queue ${id} deleted`);
    return c.body(null, 204);
  });
  return app;
}

function itemView(message: QueuedMessage, delivery: DeliveryState) {
  return {
    ...messageView(message),
    held: delivery.held !== undefined,
    // A held message has no next attempt (its nextAttemptAt is past any Date).
    nextAttemptAt: delivery.held ? null : new Date(delivery.nextAttemptAt).toISOString(),
    recipients: delivery.recipients.map((state) => ({
      address: state.address,
      status: state.status,
      attempts: state.attempts,
      lastReply: state.lastReply ?? null,
      lastAttemptAt: state.lastAttemptAt === undefined
        ? null
        : new Date(state.lastAttemptAt).toISOString(),
    })),
  };
}
