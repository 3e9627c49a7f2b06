/**
 * `/api/relay-networks`: client networks that may relay without AUTH.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { normalizeCidr } from "../relay/networks.ts";
import type { NetworkStore } from "../store/types.ts";
import { readJsonBody } from "./_json_body.ts";
import { tryNormalize } from "./_normalize.ts";

const addNetworkBody = z.strictObject({ cidr: z.string() });

/**
 * List, add (`POST {"cidr": ...}`; `201`, or `200` if already present) and
 * remove (`DELETE /{cidr}`, the `/` encoded as `%2F`) relay networks.
 */
export function networkRoutes(networks: NetworkStore, log: (line: string) => void): Hono {
  const routes = new Hono();
  routes.get("/", async (c) => c.json({ networks: await networks.list() }));
  routes.post("/", async (c) => {
    const body = await readJsonBody(c.req.raw, addNetworkBody);
    if (body.kind === "invalid") return c.json({ error: body.error }, 400);
    const cidr = tryNormalize(normalizeCidr, body.value.cidr);
    if (cidr.kind === "invalid") return c.json({ error: cidr.error }, 400);
    if ((await networks.list()).includes(cidr.value)) return c.json({ cidr: cidr.value }, 200);
    await networks.add(cidr.value);
    log(`admin: added relay network ${cidr.value}`);
    return c.json({ cidr: cidr.value }, 201);
  });
  routes.delete("/:cidr", async (c) => {
    const cidr = tryNormalize(normalizeCidr, c.req.param("cidr"));
    if (cidr.kind === "invalid") return c.json({ error: cidr.error }, 400);
    if (!await networks.remove(cidr.value)) {
      return c.json({ error: `No such relay network: ${cidr.value}` }, 404);
    }
    log(`admin: removed relay network ${cidr.value}`);
    return c.body(null, 204);
  });
  return routes;
}
