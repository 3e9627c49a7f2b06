/**
 * `/api/domains`: the local domains (qmail's `rcpthosts`).
 *
 * @module
 */

import { z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { normalizeDomainEntry } from "../relay/local_domains.ts";
import type { DomainStore } from "../store/types.ts";
import {
  adminRouter,
  errorReply,
  jsonReply,
  NO_CONTENT,
  noContent,
  pathParam,
  type Reply,
  tokenRoute,
} from "./_api_schema.ts";
import { entrySet, noSuch } from "./_entry_set.ts";

const tags = ["Local domains"];
const DomainParams = z.object({
  domain: pathParam(
    "domain",
    normalizeDomainEntry,
    "A domain, or `.example.net` for all its subdomains; stored lower-case without a final dot.",
    "example.net",
  ),
});
const Domain = z.object({ domain: z.string() }).openapi("LocalDomain");
const BAD_DOMAIN = errorReply("The domain cannot be parsed.");

const list = tokenRoute({
  method: "get",
  path: "/",
  tags,
  summary: "List the local domains",
  responses: {
    200: jsonReply(
      "Every local domain, sorted.",
      z.object({ domains: z.array(z.string()) }).openapi("LocalDomainList"),
    ),
  },
});
const add = tokenRoute({
  method: "put",
  path: "/{domain}",
  tags,
  summary: "Add a local domain",
  description: "Idempotent: `201` when added, `200` when it was there.",
  request: { params: DomainParams },
  responses: {
    200: jsonReply("It was there already.", Domain),
    201: jsonReply("Added.", Domain),
    400: BAD_DOMAIN,
  },
});
const remove = tokenRoute({
  method: "delete",
  path: "/{domain}",
  tags,
  summary: "Remove a local domain",
  request: { params: DomainParams },
  responses: { 204: NO_CONTENT, 400: BAD_DOMAIN, 404: errorReply("No such local domain.") },
});

/** List, add (`PUT`, idempotent) and remove local domain entries. */
export function domainRoutes(domains: DomainStore, log: (line: string) => void): OpenAPIHono {
  const set = entrySet(domains, "local domain", log);
  const app = adminRouter();
  app.openapi(
    list,
    async (c): Reply<typeof list> => c.json({ domains: await domains.list() }, 200),
  );
  app.openapi(add, async (c): Reply<typeof add> => {
    const { domain } = c.req.valid("param");
    return await set.add(domain) ? c.json({ domain }, 201) : c.json({ domain }, 200);
  });
  app.openapi(remove, async (c): Reply<typeof remove> => {
    const { domain } = c.req.valid("param");
    return await set.remove(domain) ? noContent(c) : c.json(noSuch("local domain", domain), 404);
  });
  return app;
}
