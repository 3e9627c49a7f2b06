/**
 * The connection driver: runs one SMTP server session over one accepted
 * connection, whatever runtime accepted it. It moves the bytes of a
 * {@linkcode ByteStream}, answers the session's requests from the stores and
 * the credential verifier, spools message bodies, and ends idle or stalled
 * clients through one {@linkcode ReadDeadlines} per listener.
 *
 * - `smtp_connection.ts`: {@linkcode serveConnection} and {@linkcode startConnection}.
 * - `spool_slot.ts`: one message body on its way into the queue.
 * - `read_deadlines.ts`: one sweeping timer for every wait for input.
 * - `client_check_queue.ts`: a few credential checks at once per client.
 * - `types.ts`: {@linkcode ByteStream} and {@linkcode Peer}.
 * - `compose.ts`: {@linkcode composeTollgate}, a running Tollgate from its
 *   settings and a {@linkcode Platform} (`platform.ts`: what it needs from a
 *   runtime).
 *
 * The Deno listener, TLS and platform are in `@tollgate/tollgate/deno`.
 *
 * @example
 * ```ts
 * import { ReadDeadlines } from "@tollgate/tollgate/server";
 * const reads = new ReadDeadlines({ tickMs: 1000, now: Date.now });
 * // one per listener: hand it to startConnection's deps; at shutdown:
 * reads.shutdown();
 * ```
 *
 * @module
 */

export type { ByteStream, Peer } from "./types.ts";
export { type ConnectionDeps, serveConnection, startConnection } from "./smtp_connection.ts";
export { type InputWaiter, ReadDeadlines, type WaitExpiry } from "./read_deadlines.ts";
export { ClientCheckQueue } from "./client_check_queue.ts";
export { type OAuthLoginSettings, withOAuthLogin } from "./oauth_login.ts";
export { composeTollgate, type RunningTollgate, type TollgateSettings } from "./compose.ts";
export type * from "./platform.ts";
export { type Labels, type MetricKind, MetricsRegistry } from "./metrics/registry.ts";
export {
  type DeliveryOutcomeWord,
  NO_METRICS,
  PrometheusMetrics,
  type RefusalReason,
  type TollgateMetrics,
} from "./metrics/tollgate_metrics.ts";
export { jsonLogLine, type LogRecord, logRecord } from "./log_record.ts";
