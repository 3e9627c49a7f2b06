/**
 * `/api/users/{address}/senders`: the envelope senders a user may use besides
 * its own address (`relay/sender_policy.ts`).
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { normalizeDomainEntry } from "../relay/local_domains.ts";
import type { SenderStore } from "../store/senders.ts";
import { readJsonBody } from "./_json_body.ts";
import { type Normalized, tryNormalize } from "./_normalize.ts";
import { normalizeUserAddress } from "./user_address.ts";

const addSenderBody = z.strictObject({ sender: z.string() });

/**
 * Checks a grant and returns it lower-cased: `a@b` is one address (as
 * `normalizeUserAddress` checks it), `@b` every address of exactly the
 * domain `b` (not its subdomains, so `@.b` is refused).
 */
function normalizeSenderEntry(text: string): string {
  if (!text.startsWith("@")) return normalizeUserAddress(text);
  const domain = text.slice(1);
  if (domain.startsWith(".")) {
    throw new RangeError("Cannot parse sender: '@' must be followed by a domain, not '.'");
  }
  return `@${normalizeDomainEntry(domain)}`;
}

function normalizedPair(user: string, entry: string): [Normalized, Normalized] {
  return [tryNormalize(normalizeUserAddress, user), tryNormalize(normalizeSenderEntry, entry)];
}

/**
 * List (`GET`), grant (`POST {"sender": "a@b" | "@b"}`; `201`, or `200` if
 * already granted) and withdraw (`DELETE /{sender}`; `204`, or `404`) the
 * senders of a user. The user need not be in the user store: with a
 * checkpassword or Dovecot backend it lives elsewhere.
 */
export function senderRoutes(senders: SenderStore, log: (line: string) => void): Hono {
  const routes = new Hono();
  routes.get("/:address/senders", async (c) => {
    const user = tryNormalize(normalizeUserAddress, c.req.param("address"));
    if (user.kind === "invalid") return c.json({ error: user.error }, 400);
    return c.json({ user: user.value, senders: await senders.list(user.value) });
  });
  routes.post("/:address/senders", async (c) => {
    const body = await readJsonBody(c.req.raw, addSenderBody);
    if (body.kind === "invalid") return c.json({ error: body.error }, 400);
    const [user, entry] = normalizedPair(c.req.param("address"), body.value.sender);
    if (user.kind === "invalid") return c.json({ error: user.error }, 400);
    if (entry.kind === "invalid") return c.json({ error: entry.error }, 400);
    const view = { user: user.value, sender: entry.value };
    if ((await senders.list(user.value)).includes(entry.value)) return c.json(view, 200);
    await senders.add(user.value, entry.value);
    log(`admin: allowed sender ${entry.value} for user ${user.value}`);
    return c.json(view, 201);
  });
  routes.delete("/:address/senders/:sender", async (c) => {
    const [user, entry] = normalizedPair(c.req.param("address"), c.req.param("sender"));
    if (user.kind === "invalid") return c.json({ error: user.error }, 400);
    if (entry.kind === "invalid") return c.json({ error: entry.error }, 400);
    if (!await senders.remove(user.value, entry.value)) {
      return c.json({ error: `No such sender for ${user.value}: ${entry.value}` }, 404);
    }
    log(`admin: withdrew sender ${entry.value} from user ${user.value}`);
    return c.body(null, 204);
  });
  return routes;
}
