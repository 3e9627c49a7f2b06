/**
 * What Tollgate counts, as one injected interface ({@linkcode TollgateMetrics}):
 * the SMTP listeners, the connection driver and the delivery worker call it;
 * {@linkcode PrometheusMetrics} keeps the counts for `GET /metrics`, and
 * {@linkcode NO_METRICS} drops them.
 *
 * @module
 */
import type { MessageQueue } from "../../store/types.ts";
import { type MetricKind, MetricsRegistry } from "./registry.ts";

/**
 * Why a connection was refused before its greeting.
 *
 * @example
 * ```ts
 * import type { RefusalReason } from "@tollgate/tollgate/server";
 * const reason: RefusalReason = "banned";
 * console.log(reason); // "banned"
 * ```
 */
export type RefusalReason = "too-many-connections" | "banned";

/**
 * How a delivery attempt for one recipient ended.
 *
 * @example
 * ```ts
 * import type { DeliveryOutcomeWord } from "@tollgate/tollgate/server";
 * const outcome: DeliveryOutcomeWord = "deferred";
 * console.log(outcome); // "deferred"
 * ```
 */
export type DeliveryOutcomeWord = "delivered" | "deferred" | "failed";

/**
 * The events Tollgate counts. Every method is cheap and never throws.
 *
 * @example
 * ```ts
 * import { NO_METRICS, type TollgateMetrics } from "@tollgate/tollgate/server";
 * const metrics: TollgateMetrics = NO_METRICS;
 * metrics.reply("smtp", 250);
 * ```
 */
export interface TollgateMetrics {
  /** A connection was accepted on `listener` (`smtp`, `submission`, `submissions`). */
  connectionOpened(listener: string): void;
  /** An accepted connection ended. */
  connectionClosed(listener: string): void;
  /** A connection was answered `421` and closed at once. */
  connectionRefused(listener: string, reason: RefusalReason): void;
  /** One SMTP reply was sent (its three-digit code). */
  reply(listener: string, code: number): void;
  /** One AUTH attempt ended: `accepted`, `rejected`, `locked-out` or `temporary-failure`. */
  auth(mechanism: string, result: string): void;
  /** A client was banned after failed logins. */
  ban(): void;
  /** A message was queued (`250` after DATA) with this many bytes. */
  messageAccepted(bytes: number): void;
  /** A TLS session began (STARTTLS or implicit), with its protocol version. */
  tlsSession(listener: string, version: string): void;
  /** A delivery attempt for one recipient ended; `latencySeconds` from receipt, when delivered. */
  delivery(outcome: DeliveryOutcomeWord, route: string, latencySeconds?: number): void;
}

/**
 * Metrics that count nothing: the default where none are injected.
 *
 * @example
 * ```ts
 * import { NO_METRICS } from "@tollgate/tollgate/server";
 * NO_METRICS.ban();
 * ```
 */
export const NO_METRICS: TollgateMetrics = {
  connectionOpened() {},
  connectionClosed() {},
  connectionRefused() {},
  reply() {},
  auth() {},
  ban() {},
  messageAccepted() {},
  tlsSession() {},
  delivery() {},
};

const SIZE_BUCKETS = [1_024, 10_240, 102_400, 1_048_576, 10_485_760, 52_428_800];
const LATENCY_BUCKETS = [0.1, 0.5, 1, 5, 30, 60, 300, 1_800, 3_600, 21_600, 86_400];
/** Every family Tollgate exports: name, type, help, and a histogram's buckets. */
const FAMILIES: [string, MetricKind, string, number[]?][] = [
  ["tollgate_connections_open", "gauge", "SMTP connections being served."],
  ["tollgate_connections_accepted_total", "counter", "SMTP connections accepted."],
  ["tollgate_connections_refused_total", "counter", "SMTP connections refused."],
  ["tollgate_smtp_replies_total", "counter", "SMTP replies sent, by code class."],
  ["tollgate_auth_attempts_total", "counter", "SMTP AUTH attempts."],
  ["tollgate_bans_total", "counter", "Clients banned after failed logins."],
  ["tollgate_messages_accepted_total", "counter", "Messages queued."],
  ["tollgate_messages_accepted_bytes_total", "counter", "Bytes of messages queued."],
  ["tollgate_message_size_bytes", "histogram", "Sizes of queued messages.", SIZE_BUCKETS],
  ["tollgate_tls_sessions_total", "counter", "TLS sessions, by protocol version."],
  ["tollgate_delivery_attempts_total", "counter", "Delivery attempts per recipient."],
  [
    "tollgate_delivery_latency_seconds",
    "histogram",
    "From receipt to delivery, per delivered recipient.",
    LATENCY_BUCKETS,
  ],
  ["tollgate_queue_messages", "gauge", "Messages in the queue."],
  ["tollgate_queue_held_messages", "gauge", "Messages on hold."],
  ["tollgate_queue_bytes", "gauge", "Bytes of the messages in the queue."],
  ["tollgate_queue_oldest_age_seconds", "gauge", "Age of the oldest queued message."],
];

/**
 * {@linkcode TollgateMetrics} kept in a Prometheus registry; `render()` adds the
 * queue's size, held count, bytes and oldest age from the queue's
 * statistics at scrape time (counters and one indexed read, not a scan of the queue).
 *
 * @example
 * ```ts
 * import { PrometheusMetrics } from "@tollgate/tollgate/server";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(() => 0);
 * const metrics = new PrometheusMetrics({ queue: stores.queue, now: () => 0 });
 * metrics.messageAccepted(120);
 * console.log((await metrics.render()).includes("tollgate_messages_accepted_total 1")); // true
 * ```
 */
export class PrometheusMetrics implements TollgateMetrics {
  readonly #registry = new MetricsRegistry();
  readonly #queue: Pick<MessageQueue, "stats">;
  readonly #now: () => number;

  /** Counts into a fresh registry; `queue.stats()` is read at every scrape. */
  constructor(options: { queue: Pick<MessageQueue, "stats">; now: () => number }) {
    this.#queue = options.queue;
    this.#now = options.now;
    const r = this.#registry;
    for (const [name, kind, help, buckets] of FAMILIES) r.describe(name, kind, help, buckets);
    r.add("tollgate_messages_accepted_total", {}, 0);
    r.add("tollgate_messages_accepted_bytes_total", {}, 0);
    r.add("tollgate_bans_total", {}, 0);
  }

  connectionOpened(listener: string): void {
    this.#registry.add("tollgate_connections_accepted_total", { listener });
    this.#registry.add("tollgate_connections_open", { listener });
  }
  connectionClosed(listener: string): void {
    this.#registry.add("tollgate_connections_open", { listener }, -1);
  }
  connectionRefused(listener: string, reason: RefusalReason): void {
    this.#registry.add("tollgate_connections_refused_total", { listener, reason });
  }
  reply(listener: string, code: number): void {
    const labels = { listener, class: `${Math.floor(code / 100)}xx` };
    this.#registry.add("tollgate_smtp_replies_total", labels);
  }
  auth(mechanism: string, result: string): void {
    this.#registry.add("tollgate_auth_attempts_total", { mechanism, result });
  }
  ban(): void {
    this.#registry.add("tollgate_bans_total");
  }
  messageAccepted(bytes: number): void {
    this.#registry.add("tollgate_messages_accepted_total");
    this.#registry.add("tollgate_messages_accepted_bytes_total", {}, bytes);
    this.#registry.observe("tollgate_message_size_bytes", {}, bytes);
  }
  tlsSession(listener: string, version: string): void {
    this.#registry.add("tollgate_tls_sessions_total", { listener, version });
  }
  delivery(outcome: DeliveryOutcomeWord, route: string, latencySeconds?: number): void {
    this.#registry.add("tollgate_delivery_attempts_total", { outcome, route });
    if (latencySeconds !== undefined) {
      this.#registry.observe("tollgate_delivery_latency_seconds", { route }, latencySeconds);
    }
  }

  /** The exposition text, after reading the queue's statistics (`MessageQueue.stats`). */
  async render(): Promise<string> {
    const { messages, held, bytes, oldestReceivedAt } = await this.#queue.stats();
    const r = this.#registry;
    r.set("tollgate_queue_messages", {}, messages);
    r.set("tollgate_queue_held_messages", {}, held);
    r.set("tollgate_queue_bytes", {}, bytes);
    const age = oldestReceivedAt === undefined
      ? 0
      : Math.max(0, (this.#now() - oldestReceivedAt) / 1000);
    r.set("tollgate_queue_oldest_age_seconds", {}, age);
    return r.render();
  }
}
