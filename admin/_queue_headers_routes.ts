/**
 * `GET /api/queue/{id}/headers`: the header fields of one queued message, as
 * the admin page shows them. Only the header section is read, at most
 * {@linkcode MAX_HEADER_BYTES} of it.
 *
 * @module
 */

import { Hono } from "hono";
import { parseHeaderFields } from "../delivery/dkim_canon.ts";
import type { MessageQueue } from "../store/types.ts";

/** Longer header sections are cut here (and the answer says `truncated`). */
export const MAX_HEADER_BYTES = 64 * 1024;

const QUEUE_ID = /^[0-9a-f]{20}$/;
const END_OF_HEADER = "\r\n\r\n";

/** `{ id, headers: [{ name, value }], truncated }`, values unfolded; `404`, `400` as `GET /{id}`. */
export function queueHeaderRoutes(queue: MessageQueue): Hono {
  return new Hono().get("/:id/headers", async (c) => {
    const id = c.req.param("id");
    if (!QUEUE_ID.test(id)) {
      return c.json({ error: `Invalid queue id "${id}": expected 20 hex digits` }, 400);
    }
    if (!await queue.get(id)) return c.json({ error: `No queued message ${id}` }, 404);
    const { section, truncated } = await readHeaderSection(queue.readBody(id));
    const headers = parseHeaderFields(section).map((field) => ({
      name: field.name,
      value: field.raw.slice(field.raw.indexOf(":") + 1).replace(/\r\n/g, "").trim(),
    }));
    return c.json({ id, headers, truncated });
  });
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
