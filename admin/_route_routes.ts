/**
 * `/api/routes`: outbound routes (qmail's `smtproutes`). A password is
 * write-only: it goes into the store for outbound AUTH and never comes back
 * in a response or a log line, except in an export that asks for it.
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { createRoute } from "../delivery/route_fields.ts";
import { normalizeRecipientDomain } from "../relay/local_domains.ts";
import { normalizeRoutePattern, resolveRoute, type Route } from "../delivery/routes.ts";
import type { RouteStore } from "../store/types.ts";
import type { AdminDeps } from "./deps.ts";
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
import { noSuch, removeEntry } from "./_entry_set.ts";
import { jsonObjectBody } from "./_json_body.ts";
import { routeTextRoutes } from "./_route_text.ts";
import { describeRoute, redactPassword, routeView, RouteViewSchema } from "./_route_view.ts";
import { oauthAuthBody, oauthFields } from "./_route_oauth.ts";

const putRouteBody = z.strictObject({
  relay: z.string().optional().openapi({
    description: "The relay host; without it the route delivers to the MX hosts.",
    example: "mail.provider.de",
  }),
  port: z.number().optional().openapi({ example: 587 }),
  username: z.string().optional(),
  password: z.string().optional().openapi({
    description: "Write-only; left out with the same `username`, the stored one is kept.",
    format: "password",
  }),
  tls: z.enum(["starttls", "implicit", "opportunistic", "none"]).optional(),
  mechanisms: z.array(z.enum(["CRAM-MD5", "PLAIN", "LOGIN"])).optional(),
  auth: oauthAuthBody.optional(),
}).openapi("RouteSettings");

const tags = ["Routes"];
const PatternParams = z.object({
  pattern: pathParam(
    "pattern",
    normalizeRoutePattern,
    "`example.com`, `.example.com` (its subdomains) or `*` (the default route, also `%2A`).",
    "example.com",
  ),
});
const BAD_PATTERN = errorReply("The pattern cannot be parsed.");

const list = tokenRoute({
  method: "get",
  path: "/",
  tags,
  summary: "List the outbound routes",
  responses: {
    200: jsonReply(
      "Every route (passwords never shown).",
      z.object({ routes: z.array(RouteViewSchema) }).openapi("RouteList"),
    ),
  },
});
const resolve = tokenRoute({
  method: "get",
  path: "/resolve",
  tags,
  summary: "Which route a domain takes, and why",
  request: {
    query: z.object({
      domain: z.string().optional().openapi({
        param: { description: "A recipient domain (required)." },
        example: "example.net",
      }),
    }),
  },
  responses: {
    200: jsonReply(
      "The route that applies (null: MX delivery without a route).",
      z.object({
        domain: z.string(),
        matched: z.string().nullable(),
        route: z.union([RouteViewSchema, z.null()]),
        delivery: z.enum(["mx", "relay"]),
        why: z.string(),
      }).openapi("RouteResolution"),
    ),
    400: errorReply("No domain, or an address instead of a domain."),
  },
});
const put = tokenRoute({
  method: "put",
  path: "/{pattern}",
  tags,
  summary: "Create or replace a route",
  description: "`201` when created, `200` when replaced. Give either `username`/`password`/" +
    "`mechanisms` or `auth` (OAuth 2.0).",
  middleware: jsonObjectBody(),
  request: {
    params: PatternParams,
    body: { required: true, content: { "application/json": { schema: putRouteBody } } },
  },
  responses: {
    200: jsonReply("Replaced.", RouteViewSchema),
    201: jsonReply("Created.", RouteViewSchema),
    400: errorReply("The pattern or the settings cannot be used."),
  },
});
const remove = tokenRoute({
  method: "delete",
  path: "/{pattern}",
  tags,
  summary: "Remove a route",
  request: { params: PatternParams },
  responses: { 204: NO_CONTENT, 400: BAD_PATTERN, 404: errorReply("No such route.") },
});
const probe = tokenRoute({
  method: "post",
  path: "/{pattern}/test",
  tags,
  summary: "Test a route's relay",
  description: "Connects now, negotiates TLS and tries the credentials, step by step up to the " +
    "first failure; passwords are redacted from every reply.",
  request: { params: PatternParams },
  responses: {
    200: jsonReply(
      "The route and what the test found (`ok` only when every step worked).",
      RouteViewSchema.extend({
        ok: z.boolean(),
        steps: z.array(z.object({ step: z.string(), ok: z.boolean(), detail: z.string() })),
      }).openapi("RouteTest"),
    ),
    400: errorReply("The pattern cannot be parsed, or the route has no relay host."),
    404: errorReply("No such route."),
    501: errorReply("This server cannot test routes."),
  },
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
export function routeRoutes(routes: RouteStore, deps: RouteRouteDeps): OpenAPIHono {
  const app = adminRouter();
  const view = (route: Route) => routeView(route, deps.routeOAuthState?.(route));
  app.openapi(
    list,
    async (c): Reply<typeof list> => c.json({ routes: (await routes.list()).map(view) }, 200),
  );
  app.openapi(resolve, async (c): Reply<typeof resolve> => {
    const domain = normalizeRecipientDomain((c.req.valid("query").domain ?? "").trim());
    if (domain === "") return c.json({ error: 'Missing query parameter "domain"' }, 400);
    if (/[\s@]/.test(domain)) {
      return c.json({ error: `Invalid domain "${domain}": give the domain, not an address` }, 400);
    }
    const found = resolveRoute(domain, await routes.list());
    return c.json({
      domain,
      matched: found.matched ?? null,
      route: found.route === undefined ? null : view(found.route),
      delivery: found.route?.relay === undefined ? "mx" as const : "relay" as const,
      why: found.why,
    }, 200);
  });
  app.route("/", routeTextRoutes(routes, deps.log));
  app.openapi(put, async (c): Reply<typeof put> => {
    const { pattern } = c.req.valid("param");
    const body = c.req.valid("json");
    const existing = await routes.get(pattern);
    const password = keptPassword(body, existing);
    const oauth = oauthFields(body, existing);
    if (oauth.kind === "invalid") return c.json({ error: oauth.error }, 400);
    const { auth: _auth, ...fields } = body;
    let route: Route;
    try {
      route = createRoute(pattern, {
        ...fields,
        password,
        ...(oauth.kind === "fields" ? { username: oauth.username, oauth2: oauth.oauth2 } : {}),
      });
    } catch (error) {
      if (error instanceof RangeError) return c.json({ error: error.message }, 400);
      throw error;
    }
    await routes.put(route);
    const kept = body.password === undefined && password !== undefined
      ? ["password"]
      : oauth.kind === "fields"
      ? oauth.kept
      : [];
    deps.log(
      `admin: ${existing ? "replaced" : "created"} route ${describeRoute(route)}` +
        (kept.length > 0 ? ` (${kept.join(" and ")} kept)` : ""),
    );
    return existing ? c.json(view(route), 200) : c.json(view(route), 201);
  });
  app.openapi(remove, async (c): Reply<typeof remove> => {
    const { pattern } = c.req.valid("param");
    return await removeEntry(routes, "route", pattern, deps.log)
      ? noContent(c)
      : c.json(noSuch("route", pattern), 404);
  });
  app.openapi(probe, async (c): Reply<typeof probe> => {
    const { pattern } = c.req.valid("param");
    const route = await routes.get(pattern);
    if (route === undefined) return c.json(noSuch("route", pattern), 404);
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
    return c.json({ ...view(route), ok, steps }, 200);
  });
  return app;
}
