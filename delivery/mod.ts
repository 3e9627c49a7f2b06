/**
 * Outbound delivery: where accepted mail goes, and what happens when it
 * cannot get there.
 *
 * - `routes.ts`, `smtproutes.ts`, `route_fields.ts`: outbound routes (qmail's
 *   `control/smtproutes`) as data, their file grammar and their fields;
 *   {@linkcode resolveRoute} picks the route of a domain.
 * - `delivery_plan.ts`: {@linkcode planDeliveries}, which recipients go to a
 *   Maildir, a relay or MX hosts, grouped by connection.
 * - `delivery_state.ts`: {@linkcode applyOutcomes}, a message's state after an attempt.
 * - `retry_policy.ts`: the retry schedule and the queue lifetime.
 * - `bounce.ts`: {@linkcode buildBounce}, delivery status notifications (RFC 3464).
 * - `queue_trigger.ts`: {@linkcode withTrigger}, wakes the worker after a commit.
 * - `delivery_worker.ts`: {@linkcode DeliveryWorker}, takes due messages and
 *   delivers them; `remote_delivery.ts`: {@linkcode deliverRemote}, one
 *   connection's messages to a relay or MX hosts; `route_target.ts`:
 *   {@linkcode routeTarget}, a route as a connection target.
 * - `outbound_types.ts`, `client_connection.ts`: what delivery needs from a
 *   runtime (SMTP client, MX lookup, local delivery, the client's connection).
 *
 * None of it does I/O; the Deno SMTP client, MX lookup and Maildir delivery
 * that the worker takes injected are in `@tollgate/tollgate/deno`.
 *
 * @example
 * ```ts
 * import { resolveRoute } from "@tollgate/tollgate/delivery";
 * const match = resolveRoute("mail.example.org", [
 *   { pattern: ".example.org", relay: "smarthost.example.net", tls: "starttls" },
 * ]);
 * console.log(match.matched); // ".example.org"
 * ```
 *
 * @module
 */

export * from "./routes.ts";
export * from "./route_fields.ts";
export * from "./route_oauth2.ts";
export * from "./oauth_token_request.ts";
export * from "./oauth_tokens.ts";
export * from "./oauth_delivery.ts";
export * from "./smtproutes.ts";
export * from "./retry_policy.ts";
export * from "./bounce.ts";
export * from "./dkim_canon.ts";
export * from "./dkim_keygen.ts";
export * from "./dkim_sign.ts";
export * from "./dkim_signer.ts";
export * from "./delivery_state.ts";
export * from "./delivery_plan.ts";
export { withTrigger } from "./queue_trigger.ts";
export { DeliveryWorker } from "./delivery_worker.ts";
export type { DeliveryMetrics, DeliveryWorkerOptions } from "./delivery_worker_options.ts";
export { LeaseKeeper, type LeaseSettings } from "./lease_keeper.ts";
export { deliverRemote, type RemoteDeliveryOptions } from "./remote_delivery.ts";
export { createRouteProbe, routeTarget, type RouteTargetOptions } from "./route_target.ts";
export type * from "./outbound_types.ts";
export type {
  OutboundConnection,
  ReadResult,
  TlsClientOptions,
  TlsSessionInfo,
} from "./client_connection.ts";
