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
 * - `client_connection.ts`: the connection the SMTP client driver needs from
 *   a runtime.
 *
 * None of it does I/O; the worker that runs it against the network and the
 * disk is in `@tollgate/tollgate/deno`.
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
export * from "./delivery_state.ts";
export * from "./delivery_plan.ts";
export { withTrigger } from "./queue_trigger.ts";
export type {
  OutboundConnection,
  ReadResult,
  TlsClientOptions,
  TlsSessionInfo,
} from "./client_connection.ts";
