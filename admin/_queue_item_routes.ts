/**
 * `/api/queue/{id}`: one queued message with its delivery state, retrying it
 * now, and deleting it (without a bounce).
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DeliveryState, MessageQueue, QueuedMessage } from "../store/types.ts";
import {
  adminRouter,
  errorReply,
  jsonReply,
  NO_CONTENT,
  noContent,
  type Reply,
  tokenRoute,
} from "./_api_schema.ts";
import {
  Envelope,
  messageView,
  noQueuedMessage,
  QUEUE_TAGS,
  QueueIdParams,
} from "./_queue_routes.ts";

/** What the queue item endpoints need besides the queue. */
export interface QueueItemDeps {
  /** The current time in ms since the epoch: "retry now" means due at this time. */
  now: () => number;
  /** One line per change. */
  log: (line: string) => void;
}

const QueueItem = Envelope.extend({
  held: z.boolean(),
  nextAttemptAt: z.string().nullable().openapi({
    format: "date-time",
    description: "When the next attempt is due; null while held.",
  }),
  recipients: z.array(z.object({
    address: z.string(),
    status: z.enum(["queued", "delivered", "bounced"]),
    attempts: z.number().int(),
    lastReply: z.string().nullable(),
    lastAttemptAt: z.string().nullable().openapi({ format: "date-time" }),
  })),
}).openapi("QueueItem");

const BAD_ID = errorReply("The id is not 20 hex digits.");
const UNKNOWN_ID = errorReply("No queued message with this id.");
const request = { params: QueueIdParams };

const show = tokenRoute({
  method: "get",
  path: "/{id}",
  tags: QUEUE_TAGS,
  summary: "Show a queued message",
  description: "Its envelope and, per recipient, status, attempts, last reply and last attempt.",
  request,
  responses: { 200: jsonReply("The message.", QueueItem), 400: BAD_ID, 404: UNKNOWN_ID },
});
const retry = tokenRoute({
  method: "post",
  path: "/{id}/retry",
  tags: QUEUE_TAGS,
  summary: "Retry a queued message now",
  request,
  responses: {
    200: jsonReply("It is due now.", QueueItem),
    400: BAD_ID,
    404: UNKNOWN_ID,
    409: errorReply("The message is held; release it first."),
  },
});
const remove = tokenRoute({
  method: "delete",
  path: "/{id}",
  tags: QUEUE_TAGS,
  summary: "Delete a queued message",
  description: "Removes it without a bounce.",
  request,
  responses: { 204: NO_CONTENT, 400: BAD_ID, 404: UNKNOWN_ID },
});

/**
 * `GET /{id}` shows a message and, per recipient, its status (`queued`,
 * `delivered`, `bounced`), attempts, last reply and last attempt, and when
 * the next attempt is due; `POST /{id}/retry` makes it due now (`200`, the
 * same view); `DELETE /{id}` removes it without a bounce (`204`). An unknown
 * id is `404`, one that is not 20 hex digits `400`.
 */
export function queueItemRoutes(queue: MessageQueue, deps: QueueItemDeps): OpenAPIHono {
  const app = adminRouter();
  const read = async (id: string) => {
    const [message, delivery] = await Promise.all([queue.get(id), queue.delivery(id)]);
    return message && delivery ? { message, delivery } : undefined;
  };

  app.openapi(show, async (c): Reply<typeof show> => {
    const { id } = c.req.valid("param");
    const found = await read(id);
    return found
      ? c.json(itemView(found.message, found.delivery), 200)
      : c.json(noQueuedMessage(id), 404);
  });

  app.openapi(retry, async (c): Reply<typeof retry> => {
    const { id } = c.req.valid("param");
    const found = await read(id);
    if (found?.delivery.held) {
      return c.json({ error: `Message ${id} is held; release it first` }, 409);
    }
    const delivery = found && { ...found.delivery, nextAttemptAt: deps.now() };
    if (!found || !delivery || !(await queue.update(id, delivery))) {
      return c.json(noQueuedMessage(id), 404);
    }
    deps.log(`queue ${id} retry now`);
    return c.json(itemView(found.message, delivery), 200);
  });

  app.openapi(remove, async (c): Reply<typeof remove> => {
    const { id } = c.req.valid("param");
    if (!(await queue.remove(id))) return c.json(noQueuedMessage(id), 404);
    deps.log(`queue ${id} deleted`);
    return noContent(c);
  });
  return app;
}

function itemView(message: QueuedMessage, delivery: DeliveryState): z.infer<typeof QueueItem> {
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
