/**
 * What the admin API is built from: everything it touches is injected.
 *
 * @module
 */

import type { UserSecrets } from "../auth/user_secrets.ts";
import type { Route } from "../delivery/routes.ts";
import type { OAuthRouteState } from "../delivery/oauth_tokens.ts";
import type { Stores } from "../store/types.ts";

/**
 * One step of a route test: what was tried, whether it worked, and what happened.
 *
 * @example
 * ```ts
 * import type { RouteProbeStep } from "@tollgate/tollgate/admin";
 * const step: RouteProbeStep = { step: "connect", ok: true, detail: "connected to 192.0.2.25:587" };
 * console.log(step.ok); // true
 * ```
 */
export interface RouteProbeStep {
  /** The step, e.g. `connect`, `EHLO`, `STARTTLS`, `AUTH CRAM-MD5`. */
  step: string;
  /** Whether it worked. */
  ok: boolean;
  /** The relay's reply or the error; never a password. */
  detail: string;
}

/**
 * What testing a route's relay found, step by step, up to the first failure.
 *
 * @example
 * ```ts
 * import type { RouteProbeResult } from "@tollgate/tollgate/admin";
 * const result: RouteProbeResult = { steps: [{ step: "result", ok: false, detail: "connection refused" }] };
 * console.log(result.steps.at(-1)?.ok); // false
 * ```
 */
export interface RouteProbeResult {
  /** The steps taken, in order. */
  steps: RouteProbeStep[];
}

/**
 * One change (or attempted change) made through the admin API, for the audit
 * log: who, what, when and how it ended. Never a request body, so never a
 * password.
 *
 * @example
 * ```ts
 * import type { AuditEntry } from "@tollgate/tollgate/admin";
 * const entry: AuditEntry = {
 *   time: 0, actor: "admin-token", clientAddress: "127.0.0.1", method: "PUT", path: "/api/domains/domain.de", status: 201,
 * };
 * console.log(entry.status); // 201
 * ```
 */
export interface AuditEntry {
  /** When the request was answered (ms since epoch, from `now`). */
  time: number;
  /** Who: the credential used. There is one admin token, so always `admin-token`. */
  actor: "admin-token";
  /** The client's address, from `clientAddress`; `unknown` without it. */
  clientAddress: string;
  /** The HTTP method: `PUT`, `POST`, `DELETE` or `PATCH`. */
  method: string;
  /** The request path as sent (percent-encoding kept), without the query. */
  path: string;
  /** The response status: `2xx` for a change made, otherwise what refused it. */
  status: number;
}

/**
 * What {@linkcode AdminDeps.clientAddress} sees of a request: the request
 * itself, and what the server passed to the app's `fetch` as its second
 * argument (the `ServeHandlerInfo` of Deno's `serve`, or your own server's value).
 *
 * @example
 * ```ts
 * import type { AdminRequest } from "@tollgate/tollgate/admin";
 * // A server that calls app.fetch(request, { remoteAddress }):
 * const clientAddress = (request: AdminRequest) =>
 *   (request.env as { remoteAddress: string }).remoteAddress;
 * console.log(clientAddress({ req: { raw: new Request("http://x/") }, env: { remoteAddress: "192.0.2.1" } }));
 * // "192.0.2.1"
 * ```
 */
export interface AdminRequest {
  /** The request, as `fetch` received it. */
  req: { raw: Request };
  /** The second argument of `fetch` (the server's bindings). */
  env: unknown;
}

/**
 * The dependencies of {@linkcode createAdminApp}.
 *
 * The admin API reads and writes the same stores the SMTP side reads, so a
 * change takes effect with the next SMTP command that looks at it.
 *
 * @example
 * ```ts
 * import type { AdminDeps } from "@tollgate/tollgate/admin";
 * import type { Stores } from "@tollgate/tollgate/store";
 * function depsFor(stores: Stores): AdminDeps {
 *   return {
 *     stores,
 *     token: "a-long-random-admin-token",
 *     setPassword: (password) => Promise.resolve({ passwordHash: `$example$${password.length}` }),
 *     now: () => 0,
 *   };
 * }
 * console.log(typeof depsFor); // "function"
 * ```
 */
export interface AdminDeps {
  /** The stores the SMTP side reads too. */
  stores: Stores;
  /**
   * The bearer token every `/api` request must carry: at least 16 characters
   * of RFC 6750's `b64token` alphabet (`A-Z a-z 0-9 - . _ ~ + /`, then `=`s).
   */
  token: string;
  /** Computes the secrets to store for a new password (`createUserSecrets` in `auth/`). */
  setPassword: (password: string) => Promise<UserSecrets>;
  /** The current time in ms since the epoch; stamps `updatedAt` of users. */
  now: () => number;
  /**
   * Connects to a route's relay now, negotiates TLS and tries its credentials
   * (`POST /api/routes/{pattern}/test`); without it that endpoint answers `501`.
   */
  probeRoute?: (route: Route) => Promise<RouteProbeResult>;
  /** An OAuth 2.0 route's token state (`OAuthTokens.state`), shown with the route. */
  routeOAuthState?: (route: Route) => OAuthRouteState | undefined;
  /** Receives one line per change and per failure; never a password or hash. */
  log?: (line: string) => void;
  /**
   * The client's IP address for a request (the Deno adapter passes the HTTP server's
   * `info.remoteAddr.hostname`). Failed-token throttling counts per client
   * and is off without this (counting every client as one would let anyone
   * lock the administrator out); audit entries then say `unknown`.
   */
  clientAddress?: (request: AdminRequest) => string;
  /**
   * Receives every request that tried to change something (every method but
   * `GET`/`HEAD`/`OPTIONS`) once it passed the token check, with its status;
   * `auditLogLine` formats one as a log line. Without it nothing is audited.
   */
  audit?: (entry: AuditEntry) => void;
  /**
   * The Prometheus exposition text for `GET /metrics` (behind the admin token, like
   * `/api`, or {@linkcode AdminDeps.metricsToken}); without it `/metrics` is `404`.
   */
  metrics?: () => Promise<string>;
  /**
   * A second bearer token that `GET /metrics` accepts besides the admin token,
   * and nothing else does (for a Prometheus scraper); same format as `token`.
   */
  metricsToken?: string;
}
