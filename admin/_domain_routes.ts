/**
 * `/api/domains`: the local domains (qmail's `rcpthosts`).
 *
 * @module
 */

import { Hono } from "hono";
import { normalizeDomainEntry } from "../relay/local_domains.ts";
import type { DomainStore } from "../store/types.ts";
import { entrySetHandlers } from "./_entry_set.ts";

/** List, add (`PUT`, idempotent) and remove local domain entries. */
export function domainRoutes(domains: DomainStore, log: (line: string) => void): Hono {
  const handlers = entrySetHandlers({
    store: domains,
    noun: "local domain",
    fields: { entry: "domain", list: "domains" },
    normalize: normalizeDomainEntry,
    log,
  });
  return new Hono()
    .get("/", handlers.list)
    .put("/:domain", (c) => handlers.add(c, c.req.param("domain")))
    .delete("/:domain", (c) => handlers.remove(c, c.req.param("domain")));
}
