/**
 * `GET /api/queue/{id}/headers`: the header fields of one queued message, as
 * the admin page shows them. Only the header section is read, at most
 * {@linkcode MAX_HEADER_BYTES} of it.
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { parseHeaderFields } from "../delivery/dkim_canon.ts";
import type { MessageQueue } from "../store/types.ts";
import { adminRouter, errorReply, jsonReply, type Reply, tokenRoute } from "./_api_schema.ts";
import { noQueuedMessage, QUEUE_TAGS, QueueIdParams } from "./_queue_routes.ts";

/** Longer header sections are cut here (and the answer says `truncated`). */
export const MAX_HEADER_BYTES = 64 * 1024;

const END_OF_HEADER = "\r\n\r\n";

const HeaderFields = z.object({
  id: z.string(),
  headers: z.array(z.object({
    name: z.string(),
    value: z.string().openapi({ description: "Unfolded, as stored (encoded words not decoded)." }),
  })),
  truncated: z.boolean().openapi({
    description: `True when the header section is longer than ${MAX_HEADER_BYTES} bytes.`,
  }),
}).openapi("QueueHeaderFields");

const headers = tokenRoute({
  method: "get",
  path: "/{id}/headers",
  tags: QUEUE_TAGS,
  summary: "Show a queued message's header fields",
  description:
    `The fields of its header section, in order; at most ${MAX_HEADER_BYTES} bytes read.`,
  request: { params: QueueIdParams },
  responses: {
    200: jsonReply("The header fields.", HeaderFields),
    400: errorReply("The id is not 20 hex digits."),
    404: errorReply("No queued message with this id."),
  },
});

/** `GET /{id}/headers`: `{ id, headers: [{ name, value }], truncated }`, values unfolded. */
export function queueHeaderRoutes(queue: MessageQueue): OpenAPIHono {
  const app = adminRouter();
  app.openapi(headers, async (c): Reply<typeof headers> => {
    const { id } = c.req.valid("param");
    if (!await queue.get(id)) return c.json(noQueuedMessage(id), 404);
    const { section, truncated } = await readHeaderSection(queue.readBody(id));
    const fields = parseHeaderFields(section).map((field) => ({
      name: field.name,
      value: field.raw.slice(field.raw.indexOf(":") + 1).replace(/\r\n/g, "").trim(),
    }));
    return c.json({ id, headers: fields, truncated }, 200);
  });
  return app;
}

async function readHeaderSection(
  body: AsyncIterable<Uint8Array>,
): Promise<{ section: string; truncated: boolean }> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true });
    const end = text.indexOf(END_OF_HEADER);
    if (end >= 0) return { section: text.slice(0, end + 2), truncated: false };
    if (text.length >= MAX_HEADER_BYTES) break;
  }
  const truncated = text.length >= MAX_HEADER_BYTES;
  return { section: text.slice(0, MAX_HEADER_BYTES), truncated };
}
