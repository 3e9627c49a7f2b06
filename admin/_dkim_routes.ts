/**
 * `/api/dkim`: DKIM keys per domain. `PUT` makes a new RSA and Ed25519 key
 * pair (a rotation when the domain has keys: the old selectors stay until
 * deleted), replies carry the DNS records to publish, never a private key.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { dkimDnsRecord, generateDkimKey } from "../delivery/dkim_keygen.ts";
import { normalizeDomainEntry } from "../relay/local_domains.ts";
import type { DkimAlgorithm, DkimKey, DkimKeyStore } from "../store/dkim_keys.ts";
import { readJsonBody } from "./_json_body.ts";
import { tryNormalize } from "./_normalize.ts";

/** The selector suffix of each algorithm: one DNS name per key. */
const SUFFIX: Record<DkimAlgorithm, string> = { "rsa-sha256": "rsa", "ed25519-sha256": "ed" };
const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,40}[a-z0-9])?$/;
const PutBody = z.strictObject({ selector: z.string().optional() });

/** What the DKIM routes need besides the store. */
export interface DkimRouteDeps {
  /** The clock (ms since epoch): creation times and generated selectors. */
  now: () => number;
  /** One line per change (never a key). */
  log: (line: string) => void;
}

/** List, create or rotate (`PUT`), and remove DKIM keys. */
export function dkimRoutes(keys: DkimKeyStore, deps: DkimRouteDeps): Hono {
  return new Hono()
    .get("/", async (c) => {
      const byDomain = new Map<string, DkimKey[]>();
      for (const key of await keys.list()) {
        byDomain.set(key.domain, [...byDomain.get(key.domain) ?? [], key]);
      }
      return c.json({
        domains: [...byDomain].map(([domain, list]) => ({ domain, keys: list.map(keyView) })),
      });
    })
    .get("/:domain", async (c) => {
      const domain = tryNormalize(normalizeSigningDomain, c.req.param("domain"));
      if (domain.kind === "invalid") return c.json({ error: domain.error }, 400);
      const list = await keys.get(domain.value);
      if (list.length === 0) {
        return c.json({ error: `No DKIM keys for ${domain.value}` }, 404);
      }
      return c.json(domainView(domain.value, list));
    })
    .put("/:domain", async (c) => {
      const domain = tryNormalize(normalizeSigningDomain, c.req.param("domain"));
      if (domain.kind === "invalid") return c.json({ error: domain.error }, 400);
      const hasBody = (c.req.header("content-length") ?? "0") !== "0" ||
        c.req.header("content-type") !== undefined;
      const body = hasBody ? await readJsonBody(c.req.raw, PutBody) : undefined;
      if (body?.kind === "invalid") return c.json({ error: body.error }, 400);
      const existing = await keys.get(domain.value);
      const taken = new Set(existing.map((key) => key.selector));
      const given = body?.value.selector?.toLowerCase();
      if (given !== undefined && !SELECTOR.test(given)) {
        return c.json({ error: "Invalid selector: use a-z, 0-9 and -, at most 42" }, 400);
      }
      const base = given ?? generatedSelector(deps.now(), taken);
      if (Object.values(SUFFIX).some((suffix) => taken.has(`${base}-${suffix}`))) {
        return c.json({ error: `Selector ${base} is in use for ${domain.value}` }, 400);
      }
      const createdAt = deps.now();
      for (const algorithm of Object.keys(SUFFIX) as DkimAlgorithm[]) {
        const selector = `${base}-${SUFFIX[algorithm]}`;
        await keys.put(await generateDkimKey(domain.value, selector, algorithm, createdAt));
      }
      deps.log(`dkim keys ${base}-rsa, ${base}-ed for ${domain.value} created`);
      return c.json(domainView(domain.value, await keys.get(domain.value)), 201);
    })
    .delete("/:domain/:selector", async (c) => {
      const domain = tryNormalize(normalizeSigningDomain, c.req.param("domain"));
      if (domain.kind === "invalid") return c.json({ error: domain.error }, 400);
      const selector = c.req.param("selector").toLowerCase();
      // The exact selector, or the name given at PUT (both of its keys).
      const names = [selector, ...Object.values(SUFFIX).map((suffix) => `${selector}-${suffix}`)];
      let removed = 0;
      for (const name of names) if (await keys.remove(domain.value, name)) removed++;
      if (removed === 0) {
        return c.json({ error: `No DKIM selector ${selector} for ${domain.value}` }, 404);
      }
      deps.log(`dkim selector ${selector} of ${domain.value} removed`);
      return c.body(null, 204);
    })
    .delete("/:domain", async (c) => {
      const domain = tryNormalize(normalizeSigningDomain, c.req.param("domain"));
      if (domain.kind === "invalid") return c.json({ error: domain.error }, 400);
      if (await keys.removeDomain(domain.value) === 0) {
        return c.json({ error: `No DKIM keys for ${domain.value}` }, 404);
      }
      deps.log(`dkim keys of ${domain.value} removed`);
      return c.body(null, 204);
    });
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

function keyView(key: DkimKey) {
  return {
    selector: key.selector,
    algorithm: key.algorithm,
    createdAt: new Date(key.createdAt).toISOString(),
  };
}

function domainView(domain: string, list: DkimKey[]) {
  return { domain, keys: list.map(keyView), records: list.map(dkimDnsRecord) };
}
