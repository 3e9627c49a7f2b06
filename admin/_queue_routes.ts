/**
 * `/api/queue`: the messages waiting for delivery (envelopes only), and what
 * the queue routes share: the envelope's schema and the queue id parameter.
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MessageQueue, QueuedMessage } from "../store/types.ts";
import { adminRouter, errorReply, jsonReply, type Reply, tokenRoute } from "./_api_schema.ts";
import { cursorField, NextCursor, PageQuery, pageRequest } from "./_paging.ts";

/** The queue tag of the document. */
export const QUEUE_TAGS = ["Queue"];

/** `{id}`: 20 hex digits. */
export const QueueIdParams = z.object({
  id: z.string().regex(/^[0-9a-f]{20}$/, {
    error: (issue) => `Invalid queue id "${issue.input}": expected 20 hex digits`,
  }).openapi({
    param: { name: "id", in: "path", description: "The queue id: 20 hex digits." },
    example: "0000018d0a0b0c0d0e0f",
  }),
});

/** The `404` of an unknown queue id. */
export function noQueuedMessage(id: string): { error: string } {
  return { error: `No queued message ${id}` };
}

/** A queued envelope. */
export const Envelope = z.object({
  id: z.string(),
  from: z.string().openapi({ description: "The envelope sender; empty for a bounce." }),
  to: z.array(z.string()),
  authUser: z.string().nullable().openapi({ description: "Who sent it with AUTH, if anyone." }),
  clientAddress: z.string(),
  helo: z.string(),
  receivedAt: z.string().openapi({ format: "date-time" }),
  size: z.number().int().openapi({ description: "The message size in bytes." }),
});

const list = tokenRoute({
  method: "get",
  path: "/",
  tags: QUEUE_TAGS,
  summary: "List the queue",
  description: "Envelopes, oldest first, a page at a time.",
  request: { query: PageQuery },
  responses: {
    200: jsonReply(
      "One page of queued messages.",
      z.object({
        messages: z.array(
          Envelope.extend({ held: z.boolean() }).openapi("QueuedMessage"),
        ),
        cursor: NextCursor,
      }).openapi("QueuePage"),
    ),
    400: errorReply("`limit` or `cursor` is out of range."),
  },
});

const stats = tokenRoute({
  method: "get",
  path: "/stats",
  tags: QUEUE_TAGS,
  summary: "Count the queue",
  description: "Messages, held messages, bytes and the oldest receipt, without reading the queue.",
  responses: {
    200: jsonReply(
      "The queue's numbers now.",
      z.object({
        messages: z.number().int().openapi({ description: "Queued messages, held ones included." }),
        held: z.number().int(),
        bytes: z.number().int().openapi({ description: "The sum of their sizes." }),
        oldestReceivedAt: z.string().nullable().openapi({
          format: "date-time",
          description: "When the oldest message was received; null when the queue is empty.",
        }),
      }).openapi("QueueStats"),
    ),
  },
});

/** Counts the queue (`GET /stats`) and lists queued envelopes, oldest first, a page at a time. */
export function queueRoutes(queue: MessageQueue): OpenAPIHono {
  const routes = adminRouter();
  routes.openapi(stats, async (c): Reply<typeof stats> => {
    const { messages, held, bytes, oldestReceivedAt } = await queue.stats();
    const oldest = oldestReceivedAt === undefined ? null : new Date(oldestReceivedAt).toISOString();
    return c.json({ messages, held, bytes, oldestReceivedAt: oldest }, 200);
  });
  routes.openapi(list, async (c): Reply<typeof list> => {
    const page = await queue.list(pageRequest(c.req.valid("query")));
    const held = await Promise.all(
      page.items.map(async (message) => (await queue.delivery(message.id))?.held !== undefined),
    );
    const messages = page.items.map((message, k) => ({ ...messageView(message), held: held[k] }));
    return c.json({ messages, ...cursorField(page.cursor) }, 200);
  });
  return routes;
}

/** A queued envelope as the API shows it: times in ISO 8601, a missing auth user as null. */
export function messageView(message: QueuedMessage): z.infer<typeof Envelope> {
  return {
    id: message.id,
    from: message.from,
    to: message.to,
    authUser: message.authUser ?? null,
    clientAddress: message.clientAddress,
    helo: message.helo,
    receivedAt: new Date(message.receivedAt).toISOString(),
    size: message.size,
  };
}
