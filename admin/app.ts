/**
 * The admin API as a Hono app, built from injected stores: runtime-agnostic,
 * served by `deno/` and tested with `app.request()`.
 *
 * @module
 */

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { AdminDeps } from "./deps.ts";
import { adminPage } from "./_admin_page.ts";
import { auditChanges } from "./_audit.ts";
import { requireBearerToken } from "./_bearer.ts";
import { dkimRoutes } from "./_dkim_routes.ts";
import { domainRoutes } from "./_domain_routes.ts";
import { networkRoutes } from "./_network_routes.ts";
import { queueHeaderRoutes } from "./_queue_headers_routes.ts";
import { queueHoldRoutes } from "./_queue_hold_routes.ts";
import { queueItemRoutes } from "./_queue_item_routes.ts";
import { queueRoutes } from "./_queue_routes.ts";
import { routeRoutes } from "./_route_routes.ts";
import { senderRoutes } from "./_sender_routes.ts";
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
 * for any HTTP server (`Deno.serve(app.fetch)`, Bun, a Node adapter), and
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
 * Builds the admin API.
 *
 * - `GET /healthz` (no token): `{ "status": "ok" }`; `GET /` (no token): the web admin page,
 *   whose every request to `/api` carries the token (`docs/operations.md`).
 * - Everything under `/api` needs `Authorization: Bearer <token>` (`401` otherwise):
 *   `GET|PUT|DELETE /api/domains[/{domain}]`, `GET|PUT|DELETE /api/users[/{address}]`
 *   (`PUT` body `{"password": "..."}`), `GET|POST /api/relay-networks` (`POST` body
 *   `{"cidr": "..."}`), `DELETE /api/relay-networks/{cidr}` (`/` as `%2F`), and
 *   `GET /api/queue`, `GET|DELETE /api/queue/{id}`, `GET /api/queue/{id}/headers`, `POST /api/queue/{id}/retry|hold|release`,
 *   `POST /api/queue/hold|release|retry` (body `{"route": "*"}` or `{"domain": "example.net"}`); outbound routes: `GET /api/routes`, `PUT|DELETE /api/routes/{pattern}`
 *   (`*` is the default route; the password is write-only), `GET /api/routes/resolve?domain=`,
 *   `POST /api/routes/import` (`text/plain` smtproutes), `GET /api/routes/export` and
 *   `POST /api/routes/{pattern}/test`; envelope senders a user may use besides its own address:
 *   `GET|POST /api/users/{address}/senders` (`POST` body `{"sender": "a@b"}` or `"@b"` for a
 *   whole domain) and `DELETE /api/users/{address}/senders/{sender}`; DKIM keys:
 *   `GET /api/dkim`, `GET|PUT|DELETE /api/dkim/{domain}` (`PUT` makes or rotates to new keys,
 *   with the DNS records to publish) and `DELETE /api/dkim/{domain}/{selector}`. `PUT`/`POST` answer `201` when they created something and
 *   `200` when it existed; `DELETE` answers `204`, or `404` when there was nothing.
 *   Listings of users and the queue take `?limit=` (1..100000, default 100) and
 *   `?cursor=`, and return `cursor` when there is a next page.
 * - Errors are JSON `{ "error": "..." }`: `400` for bad input, `404` for unknown
 *   routes, `413` for bodies over {@linkcode MAX_REQUEST_BODY_BYTES}, and `503`
 *   when a store (or the password hasher) throws; that failure is logged.
 *
 * With `deps.clientAddress`, after {@linkcode MAX_TOKEN_FAILURES} failed token checks from one
 * client (an IPv6 /64 is one client) within {@linkcode TOKEN_FAILURE_WINDOW_MS}, that client
 * gets `429` with `Retry-After`, whatever token it sends. Without it there is no throttling:
 * counting every client as one would let anyone lock the administrator out. Every request that tries a change
 * (any method but `GET`/`HEAD`/`OPTIONS`) and passes the token check goes to `audit`.
 *
 * Every change is logged as one line; passwords, hashes and secrets never
 * appear in a response or a log line.
 *
 * @throws {RangeError} if `deps.token` is shorter than 16 characters or not
 *   RFC 6750 `b64token` text.
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
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.route("/", adminPage());
  if (deps.clientAddress) {
    const throttle = throttleFailedTokens({ clientAddress: deps.clientAddress, now: deps.now });
    app.use("/api/*", throttle);
    app.use("/metrics", throttle);
  }
  const clientAddress = deps.clientAddress ?? (() => "unknown");
  const bearer = requireBearerToken(deps.token);
  app.use("/api/*", bearer);
  const { metrics } = deps;
  if (metrics) {
    app.get("/metrics", bearer, async (c) =>
      c.body(await metrics(), 200, {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
      }));
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
