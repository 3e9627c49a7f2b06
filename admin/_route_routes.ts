/**
 * `/api/routes`: outbound routes (qmail's `smtproutes`). A password is
 * write-only: it goes into the store for outbound AUTH and never comes back
 * in a response or a log line, except in an export that asks for it.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { createRoute } from "../delivery/route_fields.ts";
import { normalizeRecipientDomain } from "../relay/local_domains.ts";
import { normalizeRoutePattern, resolveRoute, type Route } from "../delivery/routes.ts";
import type { RouteStore } from "../store/types.ts";
import type { AdminDeps } from "./deps.ts";
import { removeEntry } from "./_entry_set.ts";
import { readJsonBody } from "./_json_body.ts";
import { tryNormalize } from "./_normalize.ts";
import { routeTextRoutes } from "./_route_text.ts";
import { describeRoute, redactPassword, routeView } from "./_route_view.ts";
import { oauthAuthBody, oauthFields } from "./_route_oauth.ts";

const putRouteBody = z.strictObject({
  relay: z.string().optional(),
  port: z.number().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  tls: z.enum(["starttls", "implicit", "opportunistic", "none"]).optional(),
  mechanisms: z.array(z.enum(["CRAM-MD5", "PLAIN", "LOGIN"])).optional(),
  auth: oauthAuthBody.optional(),
});

/** What the route endpoints need besides the store. */
export type RouteRouteDeps = Pick<AdminDeps, "probeRoute" | "routeOAuthState"> & {
  log: (line: string) => void;
};

/** The stored password to keep when a `PUT` names the same user and sends no password. */
function keptPassword(
  body: z.infer<typeof putRouteBody>,
  existing: Route | undefined,
): string | undefined {
  if (body.password !== undefined || body.username === undefined) return body.password;
  return existing?.username === body.username ? existing.password : undefined;
}

/**
 * `GET /` lists the routes; `PUT /{pattern}` creates (`201`) or replaces
 * (`200`) one; `DELETE /{pattern}` removes one (`204`, `404`);
 * `GET /resolve?domain=` says which route a domain takes and why;
 * `POST /import` and `GET /export` read and write `smtproutes` text;
 * `POST /{pattern}/test` probes the relay.
 */
export function routeRoutes(routes: RouteStore, deps: RouteRouteDeps): Hono {
  const app = new Hono();
  const view = (route: Route) => routeView(route, deps.routeOAuthState?.(route));
  app.get("/", async (c) => c.json({ routes: (await routes.list()).map(view) }));
  app.get("/resolve", async (c) => {
    const domain = normalizeRecipientDomain((c.req.query("domain") ?? "").trim());
    if (domain === "") return c.json({ error: 'Missing query parameter "domain"' }, 400);
    if (/[\s@]/.test(domain)) {
      return c.json({ error: `Invalid domain "${domain}": give the domain, not an address` }, 400);
    }
    const found = resolveRoute(domain, await routes.list());
    return c.json({
      domain,
      matched: found.matched ?? null,
      route: found.route === undefined ? null : view(found.route),
      delivery: found.route?.relay === undefined ? "mx" : "relay",
      why: found.why,
    });
  });
  app.route("/", routeTextRoutes(routes, deps.log));
  app.put("/:pattern", async (c) => {
    const pattern = tryNormalize(normalizeRoutePattern, c.req.param("pattern"));
    if (pattern.kind === "invalid") return c.json({ error: pattern.error }, 400);
    const body = await readJsonBody(c.req.raw, putRouteBody);
    if (body.kind === "invalid") return c.json({ error: body.error }, 400);
    const existing = await routes.get(pattern.value);
    const password = keptPassword(body.value, existing);
    const oauth = oauthFields(body.value, existing);
    if (oauth.kind === "invalid") return c.json({ error: oauth.error }, 400);
    const { auth: _auth, ...fields } = body.value;
    let route: Route;
    try {
      route = createRoute(pattern.value, {
        ...fields,
        password,
        ...(oauth.kind === "fields" ? { username: oauth.username, oauth2: oauth.oauth2 } : {}),
      });
    } catch (error) {
      if (error instanceof RangeError) return c.json({ error: error.message }, 400);
      throw error;
    }
    await routes.put(route);
    const kept = body.value.password === undefined && password !== undefined
      ? ["password"]
      : oauth.kind === "fields"
      ? oauth.kept
      : [];
    deps.log(
      `admin: ${existing ? "replaced" : "created"} route ${describeRoute(route)}` +
        (kept.length > 0 ? ` (${kept.join(" and ")} kept)` : ""),
    );
    return c.json(view(route), existing ? 200 : 201);
  });
  app.delete("/:pattern", (c) =>
    removeEntry(c, c.req.param("pattern"), {
      store: routes,
      noun: "route",
      normalize: normalizeRoutePattern,
      log: deps.log,
    }));
  app.post("/:pattern/test", async (c) => {
    const pattern = tryNormalize(normalizeRoutePattern, c.req.param("pattern"));
    if (pattern.kind === "invalid") return c.json({ error: pattern.error }, 400);
    const route = await routes.get(pattern.value);
    if (route === undefined) return c.json({ error: `No such route: ${pattern.value}` }, 404);
    if (route.relay === undefined) {
      return c.json({
        error:
          `Route ${route.pattern} has no relay host (it delivers to MX hosts): nothing to test`,
      }, 400);
    }
    if (deps.probeRoute === undefined) {
      return c.json({ error: "Route tests are not available in this server" }, 501);
    }
    const result = await deps.probeRoute(route);
    const steps = result.steps.map((step) => ({
      step: redactPassword(step.step, route),
      ok: step.ok,
      detail: redactPassword(step.detail, route),
    }));
    const ok = steps.length > 0 && steps.every((step) => step.ok);
    const failed = steps.find((step) => !step.ok);
    deps.log(
      `admin: tested route ${describeRoute(route)}: ` +
        (ok ? "ok" : `failed at ${failed?.step ?? "the start"}: ${failed?.detail ?? "no steps"}`),
    );
    return c.json({ ...view(route), ok, steps });
  });
  return app;
}
