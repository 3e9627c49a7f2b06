/**
 * `/api/domains`: the local domains (qmail's `rcpthosts`).
 *
 * @module
 */

import { Hono } from "hono";
import { normalizeDomainEntry } from "../relay/local_domains.ts";
import type { DomainStore } from "../store/types.ts";
import { tryNormalize } from "./_normalize.ts";

/** List, add (`PUT`, idempotent) and remove local domain entries. */
export function domainRoutes(domains: DomainStore, log: (line: string) => void): Hono {
  const routes = new Hono();
  routes.get("/", async (c) => c.json({ domains: await domains.list() }));
  routes.put("/:domain", async (c) => {
    const domain = tryNormalize(normalizeDomainEntry, c.req.param("domain"));
    if (domain.kind === "invalid") return c.json({ error: domain.error }, 400);
    if (await domains.has(domain.value)) return c.json({ domain: domain.value }, 200);
    await domains.add(domain.value);
    log(`admin: added local domain ${domain.value}`);
    return c.json({ domain: domain.value }, 201);
  });
  routes.delete("/:domain", async (c) => {
    const domain = tryNormalize(normalizeDomainEntry, c.req.param("domain"));
    if (domain.kind === "invalid") return c.json({ error: domain.error }, 400);
    if (!await domains.remove(domain.value)) {
      return c.json({ error: `No such local domain: ${domain.value}` }, 404);
    }
    log(`admin: removed local domain ${domain.value}`);
    return c.body(null, 204);
  });
  return routes;
}
