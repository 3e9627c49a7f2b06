/**
 * `/api/relay-networks`: client networks that may relay without AUTH.
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { normalizeCidr } from "../relay/networks.ts";
import type { NetworkStore } from "../store/types.ts";
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
import { entrySet, noSuch } from "./_entry_set.ts";
import { jsonObjectBody } from "./_json_body.ts";

const tags = ["Relay networks"];
const CIDR_DESCRIPTION = "An IPv4 or IPv6 network in CIDR notation (a bare address is one host).";
const AddNetworkBody = z.strictObject({
  cidr: normalizedText(normalizeCidr).openapi({
    description: CIDR_DESCRIPTION,
    example: "192.0.2.0/24",
  }),
}).openapi("AddRelayNetwork");
const Network = z.object({ cidr: z.string() }).openapi("RelayNetwork");
const BAD_NETWORK = errorReply("The body or the network cannot be parsed.");

const list = tokenRoute({
  method: "get",
  path: "/",
  tags,
  summary: "List the relay networks",
  responses: {
    200: jsonReply(
      "Every relay network.",
      z.object({ networks: z.array(z.string()) }).openapi("RelayNetworkList"),
    ),
  },
});
const add = tokenRoute({
  method: "post",
  path: "/",
  tags,
  summary: "Add a relay network",
  description: "Idempotent: `201` when added, `200` when it was there.",
  middleware: jsonObjectBody(),
  request: {
    body: { required: true, content: { "application/json": { schema: AddNetworkBody } } },
  },
  responses: {
    200: jsonReply("It was there already.", Network),
    201: jsonReply("Added.", Network),
    400: BAD_NETWORK,
  },
});
const remove = tokenRoute({
  method: "delete",
  path: "/{cidr}",
  tags,
  summary: "Remove a relay network",
  description: "The `/` of the CIDR is sent as `%2F`.",
  request: {
    params: z.object({
      cidr: pathParam("cidr", normalizeCidr, CIDR_DESCRIPTION, "192.0.2.0/24"),
    }),
  },
  responses: {
    204: NO_CONTENT,
    400: errorReply("The network cannot be parsed."),
    404: errorReply("No such relay network."),
  },
});

/**
 * List, add (`POST {"cidr": ...}`; `201`, or `200` if already present) and
 * remove (`DELETE /{cidr}`, the `/` encoded as `%2F`) relay networks.
 */
export function networkRoutes(networks: NetworkStore, log: (line: string) => void): OpenAPIHono {
  const set = entrySet(networks, "relay network", log);
  const app = adminRouter();
  app.openapi(
    list,
    async (c): Reply<typeof list> => c.json({ networks: await networks.list() }, 200),
  );
  app.openapi(add, async (c): Reply<typeof add> => {
    const { cidr } = c.req.valid("json");
    return await set.add(cidr) ? c.json({ cidr }, 201) : c.json({ cidr }, 200);
  });
  app.openapi(remove, async (c): Reply<typeof remove> => {
    const { cidr } = c.req.valid("param");
    return await set.remove(cidr) ? noContent(c) : c.json(noSuch("relay network", cidr), 404);
  });
  return app;
}
