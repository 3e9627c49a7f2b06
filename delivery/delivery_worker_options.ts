/**
 * What a `DeliveryWorker` (`delivery_worker.ts`) is given: the stores, the runtime's
 * parts (local delivery, the SMTP client, MX lookup), its limits, and what
 * it counts.
 *
 * @module
 */
import type { MessageSigner } from "./dkim_signer.ts";
import type { LeaseSettings } from "./lease_keeper.ts";
import type { DeliverOverSmtp, LocalMessage, MxLookup } from "./outbound_types.ts";
import type { RetryPolicy } from "./retry_policy.ts";
import type { Stores } from "../store/types.ts";

/**
 * What the worker counts: one call per recipient outcome, with the route it
 * took and, for a delivery, the seconds since the message was accepted.
 * The server's `TollgateMetrics` is one.
 *
 * @example
 * ```ts
 * import type { DeliveryMetrics } from "@tollgate/tollgate/delivery";
 * let delivered = 0;
 * const metrics: DeliveryMetrics = { delivery: (outcome) => void (outcome === "delivered" && delivered++) };
 * metrics.delivery("delivered", "*", 0.2);
 * console.log(delivered); // 1
 * ```
 */
export interface DeliveryMetrics {
  /** Counts one recipient's outcome. */
  delivery(
    outcome: "delivered" | "deferred" | "failed",
    route: string,
    latencySeconds?: number,
  ): void;
}

/**
 * What the worker works with: the stores, and the runtime's parts injected
 * (local delivery, the SMTP client, MX lookup, clock, randomness).
 *
 * @example
 * ```ts
 * import type { DeliveryWorkerOptions } from "@tollgate/tollgate/delivery";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const options: DeliveryWorkerOptions = {
 *   stores: createMemoryStores(Date.now),
 *   hostname: "mail.domain.de",
 *   policy: { schedule: [60_000], lifetimeMs: 3_600_000 },
 *   concurrency: 4,
 *   deliverLocal: (message) => Promise.resolve(`/mail/${message.mailbox}/new/1`),
 *   deliver: () => Promise.resolve([]),
 *   lookup: () => Promise.resolve({ kind: "temporary", reply: "no DNS here" }),
 *   log: console.log,
 * };
 * console.log(options.concurrency); // 4
 * ```
 */
export interface DeliveryWorkerOptions {
  /** The queue, and what deciding destinations reads. */
  stores: Pick<Stores, "queue" | "domains" | "users" | "networks" | "routes">;
  /** This server's name: EHLO and bounces. */
  hostname: string;
  /**
   * Delivers one message into a local mailbox and resolves with the path
   * of its file (`deliverToMaildir` under `$TOLLGATE_DATA/mail`).
   */
  deliverLocal: (message: LocalMessage) => Promise<string>;
  /** Retry schedule and queue lifetime. */
  policy: RetryPolicy;
  /** Outbound SMTP connections at once. */
  concurrency: number;
  /** The SMTP client (`deliverOverSmtp`). */
  deliver: DeliverOverSmtp;
  /** MX lookup (`lookupMailHosts` with the configured resolver). */
  lookup: (domain: string) => Promise<MxLookup>;
  /** One line per outcome and per failure. */
  log: (line: string) => void;
  /**
   * Signs a message before it leaves over SMTP (`createDkimSigner`): its fields go in
   * front of the stored bytes. Not called for local delivery; without it nothing is signed.
   */
  sign?: MessageSigner;
  /** The clock (ms since epoch); defaults to `Date.now`. */
  now?: () => number;
  /** `length` random bytes (bounce boundaries); defaults to `crypto.getRandomValues`. */
  random?: (length: number) => Uint8Array;
  /** How often to look for due messages without being woken; default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * At most this many messages in delivery at once over SMTP, and as many
   * more into Maildirs (so a slow next hop never holds local mail back);
   * default 200. The rest waits in the queue, on disk.
   */
  maxInFlight?: number;
  /**
   * A queue shared by several nodes: claim due messages with expiring leases
   * instead of reading `queue.due()`, renew them while delivering, and release
   * them with the outcome instead of `update()`/`remove()`.
   */
  leases?: LeaseSettings;
  /** Counts attempts by outcome and route, and delivery latency; default none. */
  metrics?: DeliveryMetrics;
}
