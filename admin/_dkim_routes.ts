/**
 * `/api/dkim`: DKIM keys per domain. `PUT` makes a new RSA and Ed25519 key
 * pair (a rotation when the domain has keys: the old selectors stay until
 * deleted), replies carry the DNS records to publish, never a private key.
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { dkimDnsRecord, generateDkimKey } from "../delivery/dkim_keygen.ts";
import { normalizeDomainEntry } from "../relay/local_domains.ts";
import type { DkimAlgorithm, DkimKey, DkimKeyStore } from "../store/dkim_keys.ts";
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
import { jsonObjectBody } from "./_json_body.ts";

/** The selector suffix of each algorithm: one DNS name per key. */
const SUFFIX: Record<DkimAlgorithm, string> = { "rsa-sha256": "rsa", "ed25519-sha256": "ed" };
const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,40}[a-z0-9])?$/;

/** What the DKIM routes need besides the store. */
export interface DkimRouteDeps {
  /** The clock (ms since epoch): creation times and generated selectors. */
  now: () => number;
  /** One line per change (never a key). */
  log: (line: string) => void;
}

const tags = ["DKIM"];
const domainParam = pathParam(
  "domain",
  normalizeSigningDomain,
  "The signing domain (`d=`), no wildcard.",
  "example.net",
);
const DomainParams = z.object({ domain: domainParam });
const DkimKeyView = z.object({
  selector: z.string(),
  algorithm: z.enum(["rsa-sha256", "ed25519-sha256"]),
  createdAt: z.string().openapi({ format: "date-time" }),
}).openapi("DkimKey");
const DkimDomain = z.object({
  domain: z.string(),
  keys: z.array(DkimKeyView),
  records: z.array(
    z.object({
      name: z.string().openapi({ example: "tg20261207-ed._domainkey.example.net" }),
      type: z.literal("TXT"),
      value: z.string().openapi({ example: "v=DKIM1; k=ed25519; p=..." }),
    }).openapi("DkimDnsRecord"),
  ).openapi({ description: "The DNS records to publish, one per key." }),
}).openapi("DkimDomain");
const PutBody = z.strictObject({
  selector: z.string().optional().openapi({
    description: "The selector base (a-z, 0-9 and -, at most 42; `-rsa` and `-ed` are " +
      "appended); default `tg<yyyymmdd>`.",
    example: "s2026",
  }),
}).openapi("NewDkimKeys");
const BAD_DOMAIN = errorReply("The domain cannot be parsed.");
const NO_KEYS = errorReply("The domain has no DKIM keys.");

const list = tokenRoute({
  method: "get",
  path: "/",
  tags,
  summary: "List DKIM keys by domain",
  responses: {
    200: jsonReply(
      "Every domain with keys.",
      z.object({
        domains: z.array(z.object({ domain: z.string(), keys: z.array(DkimKeyView) })),
      }).openapi("DkimKeyList"),
    ),
  },
});
const show = tokenRoute({
  method: "get",
  path: "/{domain}",
  tags,
  summary: "Show a domain's DKIM keys and DNS records",
  request: { params: DomainParams },
  responses: { 200: jsonReply("The keys.", DkimDomain), 400: BAD_DOMAIN, 404: NO_KEYS },
});
const create = tokenRoute({
  method: "put",
  path: "/{domain}",
  tags,
  summary: "Create or rotate a domain's DKIM keys",
  description: "Makes a new RSA and Ed25519 key; older selectors stay until deleted. " +
    "The body is optional.",
  middleware: jsonObjectBody({ optional: true }),
  request: {
    params: DomainParams,
    body: { required: false, content: { "application/json": { schema: PutBody } } },
  },
  responses: {
    201: jsonReply("The new keys, with every key of the domain.", DkimDomain),
    400: errorReply("The domain, the body or the selector cannot be used."),
  },
});
const removeSelector = tokenRoute({
  method: "delete",
  path: "/{domain}/{selector}",
  tags,
  summary: "Remove a DKIM selector",
  description: "The exact selector, or the base given at `PUT` (both of its keys).",
  request: {
    params: DomainParams.extend({
      selector: z.string().openapi({
        param: { name: "selector", in: "path" },
        example: "s2026",
      }),
    }),
  },
  responses: {
    204: NO_CONTENT,
    400: BAD_DOMAIN,
    404: errorReply("No such selector for the domain."),
  },
});
const removeDomain = tokenRoute({
  method: "delete",
  path: "/{domain}",
  tags,
  summary: "Remove every DKIM key of a domain",
  request: { params: DomainParams },
  responses: { 204: NO_CONTENT, 400: BAD_DOMAIN, 404: NO_KEYS },
});

/** List, create or rotate (`PUT`), and remove DKIM keys. */
export function dkimRoutes(keys: DkimKeyStore, deps: DkimRouteDeps): OpenAPIHono {
  const app = adminRouter();
  app.openapi(list, async (c): Reply<typeof list> => {
    const byDomain = new Map<string, DkimKey[]>();
    for (const key of await keys.list()) {
      byDomain.set(key.domain, [...byDomain.get(key.domain) ?? [], key]);
    }
    return c.json({
      domains: [...byDomain].map(([domain, list]) => ({ domain, keys: list.map(keyView) })),
    }, 200);
  });
  app.openapi(show, async (c): Reply<typeof show> => {
    const { domain } = c.req.valid("param");
    const list = await keys.get(domain);
    if (list.length === 0) return c.json({ error: `No DKIM keys for ${domain}` }, 404);
    return c.json(domainView(domain, list), 200);
  });
  app.openapi(create, async (c): Reply<typeof create> => {
    const { domain } = c.req.valid("param");
    const existing = await keys.get(domain);
    const taken = new Set(existing.map((key) => key.selector));
    const given = c.req.valid("json").selector?.toLowerCase();
    if (given !== undefined && !SELECTOR.test(given)) {
      return c.json({ error: "Invalid selector: use a-z, 0-9 and -, at most 42" }, 400);
    }
    const base = given ?? generatedSelector(deps.now(), taken);
    if (Object.values(SUFFIX).some((suffix) => taken.has(`${base}-${suffix}`))) {
      return c.json({ error: `Selector ${base} is in use for ${domain}` }, 400);
    }
    const createdAt = deps.now();
    for (const algorithm of Object.keys(SUFFIX) as DkimAlgorithm[]) {
      const selector = `${base}-${SUFFIX[algorithm]}`;
      await keys.put(await generateDkimKey(domain, selector, algorithm, createdAt));
    }
    deps.log(`dkim keys ${base}-rsa, ${base}-ed for ${domain} created`);
    return c.json(domainView(domain, await keys.get(domain)), 201);
  });
  app.openapi(removeSelector, async (c): Reply<typeof removeSelector> => {
    const { domain } = c.req.valid("param");
    const selector = c.req.valid("param").selector.toLowerCase();
    // The exact selector, or the name given at PUT (both of its keys).
    const names = [selector, ...Object.values(SUFFIX).map((suffix) => `${selector}-${suffix}`)];
    let removed = 0;
    for (const name of names) if (await keys.remove(domain, name)) removed++;
    if (removed === 0) {
      return c.json({ error: `No DKIM selector ${selector} for ${domain}` }, 404);
    }
    deps.log(`dkim selector ${selector} of ${domain} removed`);
    return noContent(c);
  });
  app.openapi(removeDomain, async (c): Reply<typeof removeDomain> => {
    const { domain } = c.req.valid("param");
    if (await keys.removeDomain(domain) === 0) {
      return c.json({ error: `No DKIM keys for ${domain}` }, 404);
    }
    deps.log(`dkim keys of ${domain} removed`);
    return noContent(c);
  });
  return app;
}

/** A domain name as `d=` takes it: no subdomain wildcard. */
function normalizeSigningDomain(text: string): string {
  const domain = normalizeDomainEntry(text);
  if (domain.startsWith(".")) throw new RangeError(`Invalid domain "${text}": no wildcard here`);
  return domain;
}

/** `tg<yyyymmdd>`, with a letter after it when that day's selector exists. */
function generatedSelector(now: number, taken: Set<string>): string {
  const day = new Date(now).toISOString().slice(0, 10).replaceAll("-", "");
  for (const extra of ["", ..."bcdefghijklmnopqrstuvwxyz"]) {
    const base = `tg${day}${extra}`;
    if (!Object.values(SUFFIX).some((suffix) => taken.has(`${base}-${suffix}`))) return base;
  }
  return `tg${now}`;
}

function keyView(key: DkimKey): z.infer<typeof DkimKeyView> {
  return {
    selector: key.selector,
    algorithm: key.algorithm,
    createdAt: new Date(key.createdAt).toISOString(),
  };
}

function domainView(domain: string, list: DkimKey[]): z.infer<typeof DkimDomain> {
  return { domain, keys: list.map(keyView), records: list.map(dkimDnsRecord) };
}
