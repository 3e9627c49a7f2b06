/**
 * `/api/relay-networks`: client networks that may relay without AUTH.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { normalizeCidr } from "../relay/networks.ts";
import type { NetworkStore } from "../store/types.ts";
import { entrySetHandlers } from "./_entry_set.ts";
import { readJsonBody } from "./_json_body.ts";

const addNetworkBody = z.strictObject({ cidr: z.string() });

/**
 * List, add (`POST {"cidr": ...}`; `201`, or `200` if already present) and
 * remove (`DELETE /{cidr}`, the `/` encoded as `%2F`) relay networks.
 */
export function networkRoutes(networks: NetworkStore, log: (line: string) => void): Hono {
  const handlers = entrySetHandlers({
    store: networks,
    noun: "relay network",
    fields: { entry: "cidr", list: "networks" },
    normalize: normalizeCidr,
    log,
  });
  return new Hono()
    .get("/", handlers.list)
    .post("/", async (c) => {
      const body = await readJsonBody(c.req.raw, addNetworkBody);
      if (body.kind === "invalid") return c.json({ error: body.error }, 400);
      return handlers.add(c, body.value.cidr);
    })
    .delete("/:cidr", (c) => handlers.remove(c, c.req.param("cidr")));
}
