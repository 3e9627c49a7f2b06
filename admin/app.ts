/**
 * The admin API as a Hono app, built from injected stores: runtime-agnostic,
 * served by `deno/` and tested with `app.request()`.
 *
 * @module
 */

import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { AdminDeps } from "./deps.ts";
import { adminRouter, type Reply, type TypedReply } from "./_api_schema.ts";
import { API_DOCS_CSP, renderApiDocsPage } from "./_api_docs_page.ts";
import { adminPage } from "./_admin_page.ts";
import { auditChanges } from "./_audit.ts";
import { requireBearerToken } from "./_bearer.ts";
import { dkimRoutes } from "./_dkim_routes.ts";
import { domainRoutes } from "./_domain_routes.ts";
import { networkRoutes } from "./_network_routes.ts";
import {
  type OpenApiDocument,
  openApiDocument,
  registerSharedComponents,
} from "./_openapi_document.ts";
import { queueHeaderRoutes } from "./_queue_headers_routes.ts";
import { queueHoldRoutes } from "./_queue_hold_routes.ts";
import { queueItemRoutes } from "./_queue_item_routes.ts";
import { queueRoutes } from "./_queue_routes.ts";
import { routeRoutes } from "./_route_routes.ts";
import { senderRoutes } from "./_sender_routes.ts";
import { docsPageRoute, documentRoute, healthRoute, metricsRoute } from "./_service_routes.ts";
import { throttleFailedTokens } from "./_token_throttle.ts";
import { userRoutes } from "./_user_routes.ts";

export { MAX_TOKEN_FAILURES, TOKEN_FAILURE_WINDOW_MS } from "./_token_throttle.ts";

/**
 * Request bodies are tiny JSON objects; anything larger is refused with `413`.
 *
 * @example
 * ```ts
 * import { MAX_REQUEST_BODY_BYTES } from "@tollgate/tollgate/admin";
 * console.log(MAX_REQUEST_BODY_BYTES); // 65536
 * ```
 */
export const MAX_REQUEST_BODY_BYTES: number = 64 * 1024;

/**
 * The admin API as {@linkcode createAdminApp} returns it: a fetch handler
 * for any HTTP server (Deno's `serve(app.fetch)`, Bun, a Node adapter), and
 * `request` to call it without one (a Hono app underneath).
 *
 * @example
 * ```ts
 * import type { AdminApp } from "@tollgate/tollgate/admin";
 * async function health(app: AdminApp): Promise<number> {
 *   return (await app.request("/healthz")).status;
 * }
 * console.log(typeof health); // "function"
 * ```
 */
export interface AdminApp {
  /** Answers one request; `env` reaches {@linkcode AdminDeps.clientAddress}. */
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
  /** Answers a request made from a path (`"/healthz"`) or URL, as a client would send it. */
  request(input: string | URL | Request, init?: RequestInit): Response | Promise<Response>;
}

/**
 * Builds the admin API. `GET /api/openapi.json` describes every route, body,
 * reply and error (OpenAPI 3.1, generated from the schemas that validate the
 * requests) and `GET /api/docs` shows it as a page; both, like `GET /healthz`,
 * need no token, nor does `GET /` (the web admin page, whose every request to `/api`
 * carries the token: `docs/operations.md`). Everything else under `/api`, and `GET /metrics`, needs
 * `Authorization: Bearer <token>` (`401` otherwise). Errors are JSON
 * `{ "error": "..." }`: `400` bad input, `404` unknown entry or route, `413`
 * bodies over {@linkcode MAX_REQUEST_BODY_BYTES}, `503` when a store (or the
 * password hasher) throws; that failure is logged.
 *
 * With `deps.clientAddress`, after {@linkcode MAX_TOKEN_FAILURES} failed token checks from one
 * client (an IPv6 /64 is one client) within {@linkcode TOKEN_FAILURE_WINDOW_MS}, that client
 * gets `429` with `Retry-After`, whatever token it sends. Without it there is no throttling:
 * counting every client as one would let anyone lock the administrator out. Every request that
 * tries a change (any method but `GET`/`HEAD`/`OPTIONS`) and passes the token check goes to
 * `audit`; every change is logged as one line. Passwords, hashes and secrets never appear in a
 * response or a log line.
 *
 * `GET /metrics` (with `deps.metrics`) takes the admin token, or `deps.metricsToken`
 * when set, which opens nothing else: `/api` answers it `401` (and counts it as a failure).
 *
 * @throws {RangeError} if `deps.token` (or `deps.metricsToken`) is shorter than
 *   16 characters or not RFC 6750 `b64token` text.
 *
 * @example
 * ```ts
 * import { createAdminApp } from "@tollgate/tollgate/admin";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const app = createAdminApp({
 *   stores: createMemoryStores(() => 0),
 *   token: "a-long-random-admin-token",
 *   setPassword: (password) => Promise.resolve({ passwordHash: `$example$${password.length}` }),
 *   now: () => 0,
 * });
 * const response = await app.request("/api/domains/example.net", {
 *   method: "PUT",
 *   headers: { authorization: "Bearer a-long-random-admin-token" },
 * });
 * console.log(response.status); // 201
 * ```
 */
export function createAdminApp(deps: AdminDeps): AdminApp {
  const log = deps.log ?? (() => {});
  const { domains, users, networks, queue } = deps.stores;
  const app = adminRouter();
  registerSharedComponents(app);
  let document: OpenApiDocument | undefined;
  const describe = () => document ??= openApiDocument(app);
  app.openapi(documentRoute, (c): TypedReply<typeof documentRoute> => c.json(describe(), 200));
  app.openapi(docsPageRoute, (c) => {
    c.header("content-security-policy", API_DOCS_CSP);
    c.header("x-content-type-options", "nosniff");
    return c.html(renderApiDocsPage(describe()));
  });
  app.openapi(
    healthRoute,
    (c): TypedReply<typeof healthRoute> => c.json({ status: "ok" as const }, 200),
  );
  app.route("/", adminPage());
  if (deps.clientAddress) {
    const throttle = throttleFailedTokens({ clientAddress: deps.clientAddress, now: deps.now });
    app.use("/api/*", throttle);
    app.use("/metrics", throttle);
  }
  const clientAddress = deps.clientAddress ?? (() => "unknown");
  const adminToken = { token: deps.token };
  app.use("/api/*", requireBearerToken(adminToken));
  // The metrics token opens /metrics and nothing else.
  const metricsBearer = requireBearerToken(
    deps.metricsToken === undefined
      ? adminToken
      : { ...adminToken, "metrics token": deps.metricsToken },
  );
  const { metrics } = deps;
  if (metrics) {
    app.openapi(
      { ...metricsRoute, middleware: metricsBearer },
      async (c): Reply<typeof metricsRoute> =>
        c.text(await metrics(), 200, {
          "content-type": "text/plain; version=0.0.4; charset=utf-8",
        }),
    );
  } else {
    app.openAPIRegistry.registerPath(metricsRoute);
  }
  if (deps.audit) {
    app.use("/api/*", auditChanges({ audit: deps.audit, clientAddress, now: deps.now }));
  }
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_REQUEST_BODY_BYTES,
      onError: (c) =>
        c.json({ error: `Request body larger than ${MAX_REQUEST_BODY_BYTES} bytes` }, 413),
    }),
  );
  app.route("/api/domains", domainRoutes(domains, log));
  app.route("/api/users", senderRoutes(deps.stores.senders, log));
  app.route("/api/users", userRoutes(users, { setPassword: deps.setPassword, now: deps.now, log }));
  app.route("/api/relay-networks", networkRoutes(networks, log));
  app.route("/api/queue", queueRoutes(queue));
  app.route("/api/queue", queueHoldRoutes({ queue, stores: deps.stores, now: deps.now, log }));
  app.route("/api/queue", queueItemRoutes(queue, { now: deps.now, log }));
  app.route("/api/queue", queueHeaderRoutes(queue));
  const { probeRoute, routeOAuthState } = deps;
  app.route("/api/routes", routeRoutes(deps.stores.routes, { probeRoute, routeOAuthState, log }));
  app.route("/api/dkim", dkimRoutes(deps.stores.dkim, { now: deps.now, log }));
  app.notFound((c) => c.json({ error: `Not found: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log(`admin: ${c.req.method} ${c.req.path} failed: ${error.name}: ${error.message}`);
    return c.json({ error: "Service unavailable: the store failed; try again later" }, 503);
  });
  return app;
}
