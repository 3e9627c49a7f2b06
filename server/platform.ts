/**
 * What a running Tollgate needs from its runtime, as one interface
 * ({@linkcode Platform}): listeners, the admin HTTP server, the stores, the
 * admin token, the credential verifier, the delivery parts, clock, randomness
 * and log. {@linkcode composeTollgate} (`compose.ts`) builds the server from
 * it; `runtime/deno/platform.ts` is the Deno one.
 *
 * @module
 */
import type { RouteProbeResult } from "../admin/deps.ts";
import type { CredentialVerifier } from "../auth/credentials.ts";
import type { MechanismName } from "../auth/sasl.ts";
import type { UserSecrets } from "../auth/user_secrets.ts";
import type {
  DeliverOverSmtp,
  LocalMessage,
  MxLookup,
  OutboundTarget,
} from "../delivery/outbound_types.ts";
import type { DeliveryLeases, Stores, UserStore } from "../store/types.ts";
import type { ConnectionDeps } from "./smtp_connection.ts";

/**
 * Where a listener binds.
 *
 * @example
 * ```ts
 * import type { ListenAddress } from "@tollgate/tollgate/server";
 * const smtp: ListenAddress = { hostname: "127.0.0.1", port: 2525 };
 * console.log(smtp.port); // 2525
 * ```
 */
export interface ListenAddress {
  /** An IP address or host name to bind. */
  hostname: string;
  /** The port; 0 lets the kernel pick one. */
  port: number;
}

/**
 * Where AUTH is offered on a connection without TLS.
 *
 * @example
 * ```ts
 * import type { InsecureAuthPolicy } from "@tollgate/tollgate/server";
 * const policy: InsecureAuthPolicy = "loopback";
 * console.log(policy); // "loopback"
 * ```
 */
export type InsecureAuthPolicy = "loopback" | "always" | "never";

/**
 * What a listener is for: `smtp` (port 25: relay and inbound mail),
 * `submission` (port 587: STARTTLS, AUTH required before MAIL) or
 * `submissions` (port 465: implicit TLS, AUTH required).
 *
 * @example
 * ```ts
 * import type { ListenerMode } from "@tollgate/tollgate/server";
 * const mode: ListenerMode = "submission";
 * console.log(mode); // "submission"
 * ```
 */
export type ListenerMode = "smtp" | "submission" | "submissions";

/**
 * How an SMTP listener behaves (TLS is the platform's: it holds the certificate).
 *
 * @example
 * ```ts
 * import type { ListenerOptions } from "@tollgate/tollgate/server";
 * const where: Pick<ListenerOptions, "listen" | "mode"> = {
 *   listen: { hostname: "0.0.0.0", port: 587 }, mode: "submission",
 * };
 * console.log(where.mode); // "submission"
 * ```
 */
export interface ListenerOptions
  extends Omit<ConnectionDeps, "reads" | "newSession" | "upgrade" | "implicitTls"> {
  /** Where to listen. */
  listen: ListenAddress;
  /** What the listener is for. Default `smtp`. */
  mode?: ListenerMode;
  /** This server's name. */
  hostname: string;
  /** The largest message accepted. */
  maxMessageBytes: number;
  /** The mechanisms offered where AUTH is allowed. */
  authMechanisms: readonly MechanismName[];
  /** Where AUTH is offered without TLS. */
  insecureAuth: InsecureAuthPolicy;
  /** The pause before `535`. */
  authFailureDelayMs: number;
  /** Connections served at once; more get `421` at once (qmail's concurrencyincoming). */
  maxConnections: number;
  /** Connections from one client address at once; more get `421` at once. */
  maxConnectionsPerClient: number;
}

/**
 * A running listener (SMTP or HTTP).
 *
 * @example
 * ```ts
 * import type { Listener } from "@tollgate/tollgate/server";
 * const none: Listener = {
 *   address: { hostname: "127.0.0.1", port: 0 }, shutdown: () => Promise.resolve(),
 * };
 * await none.shutdown();
 * ```
 */
export interface Listener {
  /** The address actually bound (with the kernel's port when 0 was asked). */
  readonly address: ListenAddress;
  /** Stops accepting and waits for what is under way (once, for every caller). */
  shutdown(): Promise<void>;
}

/**
 * Every store, opened, with what opening found.
 *
 * @example
 * ```ts
 * import type { OpenedStores } from "@tollgate/tollgate/server";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const opened: OpenedStores = {
 *   stores: createMemoryStores(Date.now), abandonedSpools: 0, close: () => {},
 * };
 * console.log(opened.abandonedSpools); // 0
 * ```
 */
export interface OpenedStores {
  /** Every store. */
  stores: Stores;
  /** How many bodies a crash had left unqueued (now deleted): worth a log line. */
  abandonedSpools: number;
  /** Present when several nodes share the queue (PostgreSQL); absent for one process's store. */
  shared?: SharedQueue;
  /** Closes the stores (and stops listening); they are unusable afterwards. */
  close(): void | Promise<void>;
}

/**
 * A queue several nodes share: this node delivers with expiring leases and
 * hears of mail any node commits.
 *
 * @example
 * ```ts ignore
 * import type { SharedQueue } from "@tollgate/tollgate/server";
 * declare const shared: SharedQueue;
 * await shared.listen(() => console.log("new mail somewhere in the cluster"));
 * console.log(shared.node, shared.leaseMs);
 * ```
 */
export interface SharedQueue {
  /** Claim, renew and release. */
  leases: DeliveryLeases;
  /** This node's id, unique in the cluster (host name, process id, random). */
  node: string;
  /** How long a claim holds a message unless renewed (`TOLLGATE_DELIVERY_LEASE_MS`). */
  leaseMs: number;
  /** Calls `onNewMail` after any node commits mail; resolves once listening (or unable to). */
  listen(onNewMail: () => void): Promise<void>;
}

/**
 * Who checks SMTP AUTH passwords, as the settings chose.
 *
 * @example
 * ```ts
 * import type { AuthBackend } from "@tollgate/tollgate/server";
 * import { UserStoreVerifier } from "@tollgate/tollgate/auth";
 * import { MemoryUserStore } from "@tollgate/tollgate/store";
 * const users = new MemoryUserStore();
 * const backend: AuthBackend = {
 *   verifier: new UserStoreVerifier(users, { cramMd5Enabled: false }),
 *   mechanisms: ["LOGIN", "PLAIN"],
 *   adminUsers: users, description: "user store",
 * };
 * console.log(backend.description); // "user store"
 * ```
 */
export interface AuthBackend {
  /** Checks AUTH credentials. */
  verifier: CredentialVerifier;
  /** The mechanisms to offer, in EHLO order: no CRAM-MD5 with Dovecot (see the README). */
  mechanisms: MechanismName[];
  /**
   * The user store for the admin API: with the cache on, a changed or removed
   * password drops that user's cache entries at once.
   */
  adminUsers: UserStore;
  /** One line for the start-up log naming the backend. */
  description: string;
}

/**
 * What a running Tollgate needs from its runtime.
 *
 * @example
 * ```ts ignore
 * import { composeTollgate, type Platform } from "@tollgate/tollgate/server";
 * const platform: Platform = { ... }; // listeners, stores, delivery parts of a runtime
 * const tollgate = await composeTollgate(settings, platform);
 * await tollgate.shutdown();
 * ```
 */
export interface Platform {
  /** Opens every store (and deletes what a crash left). */
  openStores(): Promise<OpenedStores>;
  /** The admin API's token, and the file holding it if it was generated. */
  adminToken(): Promise<{ token: string; path?: string }>;
  /**
   * Chooses who checks AUTH passwords, over the user store (`users`, read
   * through the cache); `fresh` is the store itself, for checks that must
   * see other nodes' writes at once.
   */
  auth(users: UserStore, fresh?: UserStore): AuthBackend;
  /** Starts an SMTP listener, with TLS if the platform has a certificate. */
  listen(options: ListenerOptions): Listener;
  /** Starts the admin HTTP server; `info` is what `clientAddress` reads the client from. */
  serve(
    listen: ListenAddress,
    handler: (request: Request, info: object) => Response | Promise<Response>,
  ): Listener;
  /** The client's IP address from the `info` that `serve` passed the handler. */
  clientAddress(info: unknown): string;
  /** Computes the secrets to store for a new password (the admin API). */
  setPassword(password: string): Promise<UserSecrets>;
  /** Tests a relay now, step by step, without sending mail (the admin API's route test). */
  probeTarget(target: OutboundTarget): Promise<RouteProbeResult>;
  /** Delivers into a local mailbox; resolves with the file's path. */
  deliverLocal(message: LocalMessage): Promise<string>;
  /** The SMTP client. */
  deliver: DeliverOverSmtp;
  /** Finds a domain's MX hosts. */
  lookup(domain: string): Promise<MxLookup>;
  /** The clock, ms since the epoch. */
  now(): number;
  /** `length` random bytes from a CSPRNG. */
  random(length: number): Uint8Array;
  /** One line per event; never given a secret. */
  log(line: string): void;
  /** Releases what the platform holds (a certificate watcher); called first at shutdown. */
  close(): void;
}
