/**
 * `/api/queue`: the messages waiting for delivery (envelopes only).
 *
 * @module
 */

import { Hono } from "hono";
import type { MessageQueue, QueuedMessage } from "../store/types.ts";
import { cursorField, parsePageQuery } from "./_paging.ts";

/** Lists queued envelopes, oldest first, a page at a time. */
export function queueRoutes(queue: MessageQueue): Hono {
  const routes = new Hono();
  routes.get("/", async (c) => {
    const query = parsePageQuery({ limit: c.req.query("limit"), cursor: c.req.query("cursor") });
    if (query.kind === "invalid") return c.json({ error: query.error }, 400);
    const page = await queue.list(query.page);
    const held = await Promise.all(
      page.items.map(async (message) => (await queue.delivery(message.id))?.held !== undefined),
    );
    const messages = page.items.map((message, k) => ({ ...messageView(message), held: held[k] }));
    return c.json({ messages, ...cursorField(page.cursor) });
  });
  return routes;
}

/** A queued envelope as the API shows it: times in ISO 8601, a missing auth user as null. */
export function messageView(message: QueuedMessage) {
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
