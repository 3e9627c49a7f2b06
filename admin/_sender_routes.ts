/**
 * `/api/users/{address}/senders`: the envelope senders a user may use besides
 * its own address (`relay/sender_policy.ts`).
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { normalizeDomainEntry } from "../relay/local_domains.ts";
import type { SenderStore } from "../store/senders.ts";
import {
  adminRouter,
  errorReply,
  jsonReply,
  NO_CONTENT,
  noContent,
  normalizedText,
  pathParam,
  type Reply,
  tokenRoute,
} from "./_api_schema.ts";
import { jsonObjectBody } from "./_json_body.ts";
import { normalizeUserAddress } from "./user_address.ts";

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

const tags = ["Senders"];
const SENDER_DESCRIPTION = "An address (`a@example.net`), or `@example.net` for every " +
  "address of exactly that domain.";
const user = pathParam(
  "address",
  normalizeUserAddress,
  "The user (it need not be in the user store: with checkpassword or Dovecot it lives elsewhere).",
  "test@example.net",
);
const sender = normalizedText(normalizeSenderEntry);
const Grant = z.object({ user: z.string(), sender: z.string() }).openapi("SenderGrant");

const list = tokenRoute({
  method: "get",
  path: "/{address}/senders",
  tags,
  summary: "List a user's extra senders",
  request: { params: z.object({ address: user }) },
  responses: {
    200: jsonReply(
      "The user and its senders.",
      z.object({ user: z.string(), senders: z.array(z.string()) }).openapi("SenderList"),
    ),
    400: errorReply("The address cannot be parsed."),
  },
});
const grant = tokenRoute({
  method: "post",
  path: "/{address}/senders",
  tags,
  summary: "Allow a user an extra sender",
  description: "Idempotent: `201` when granted, `200` when it was granted already.",
  middleware: jsonObjectBody(),
  request: {
    params: z.object({ address: user }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            sender: sender.openapi({ description: SENDER_DESCRIPTION, example: "@example.net" }),
          }).openapi("AddSender"),
        },
      },
    },
  },
  responses: {
    200: jsonReply("It was granted already.", Grant),
    201: jsonReply("Granted.", Grant),
    400: errorReply("The address, the body or the sender cannot be parsed."),
  },
});
const withdraw = tokenRoute({
  method: "delete",
  path: "/{address}/senders/{sender}",
  tags,
  summary: "Withdraw a sender from a user",
  request: {
    params: z.object({
      address: user,
      sender: sender.openapi({
        param: { name: "sender", in: "path", description: SENDER_DESCRIPTION },
        example: "@example.net",
      }),
    }),
  },
  responses: {
    204: NO_CONTENT,
    400: errorReply("The address or the sender cannot be parsed."),
    404: errorReply("The sender was not granted to the user."),
  },
});

/**
 * List (`GET`), grant (`POST {"sender": "a@b" | "@b"}`; `201`, or `200` if
 * already granted) and withdraw (`DELETE /{sender}`; `204`, or `404`) the
 * senders of a user. The user need not be in the user store: with a
 * checkpassword or Dovecot backend it lives elsewhere.
 */
export function senderRoutes(senders: SenderStore, log: (line: string) => void): OpenAPIHono {
  const routes = adminRouter();
  routes.openapi(list, async (c): Reply<typeof list> => {
    const { address } = c.req.valid("param");
    return c.json({ user: address, senders: await senders.list(address) }, 200);
  });
  routes.openapi(grant, async (c): Reply<typeof grant> => {
    const { address } = c.req.valid("param");
    const { sender } = c.req.valid("json");
    const view = { user: address, sender };
    if ((await senders.list(address)).includes(sender)) return c.json(view, 200);
    await senders.add(address, sender);
    log(`admin: allowed sender ${sender} for user ${address}`);
    return c.json(view, 201);
  });
  routes.openapi(withdraw, async (c): Reply<typeof withdraw> => {
    const { address, sender } = c.req.valid("param");
    if (!await senders.remove(address, sender)) {
      return c.json({ error: `No such sender for ${address}: ${sender}` }, 404);
    }
    log(`admin: withdrew sender ${sender} from user ${address}`);
    return noContent(c);
  });
  return routes;
}
