/**
 * The narrow storage interfaces that Tollgate's core depends on.
 *
 * Every backend (the in-memory one in this folder, Deno KV in `store/kv/`, and a
 * shared networked one later) implements these and passes the one contract
 * suite in `tests/store_contract.ts`. Keep them small: each method is one
 * thing a caller needs, nothing a backend happens to be able to do.
 *
 * @module
 */

import type { DkimKeyStore } from "./dkim_keys.ts";
import type { LoginAttemptStore } from "./login_attempts.ts";
import type { SenderStore } from "./senders.ts";

/**
 * One page of a listing, with the cursor for the next page when there is one.
 *
 * @example
 * ```ts
 * import type { Page } from "@tollgate/tollgate/store";
 * const page: Page<string> = { items: ["a.example", "b.example"], cursor: "b.example" };
 * console.log(page.items.length, page.cursor); // 2 "b.example"
 * ```
 */
export interface Page<T> {
  /** The items of this page, in the store's stable order. */
  items: T[];
  /** Pass back as `cursor` to get the next page; absent on the last page. */
  cursor?: string;
}

/**
 * How much of a listing to return, and where to continue.
 *
 * @example
 * ```ts
 * import { createMemoryStores, type PageRequest } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(Date.now);
 * const first: PageRequest = { limit: 10 };
 * console.log((await stores.queue.list(first)).items); // []
 * ```
 */
export interface PageRequest {
  /** At most this many items (the caller bounds it). */
  limit: number;
  /** A cursor returned by an earlier page. */
  cursor?: string;
}

/**
 * The domains this server receives mail for (qmail's `rcpthosts`).
 *
 * Entries are lower-case: `example.com` names that domain, `.example.com`
 * every subdomain of it (qmail's matching; see `relay/local_domains.ts`).
 *
 * @example
 * ```ts
 * import { MemoryDomainStore } from "@tollgate/tollgate/store";
 * const domains = new MemoryDomainStore();
 * await domains.add("example.net");
 * console.log(await domains.list()); // ["example.net"]
 * ```
 */
export interface DomainStore {
  /** Every entry, sorted. */
  list(): Promise<string[]>;
  /** Whether this exact entry exists. */
  has(domain: string): Promise<boolean>;
  /** Adds an entry; adding one that exists is not an error. */
  add(domain: string): Promise<void>;
  /** Removes an entry; returns whether it existed. */
  remove(domain: string): Promise<boolean>;
}

/**
 * A mailbox user: its address (the SMTP AUTH user name) and its secrets.
 *
 * Secrets never leave the store through the admin API or a log line.
 *
 * @example
 * ```ts
 * import type { UserRecord } from "@tollgate/tollgate/store";
 * const user: UserRecord = {
 *   address: "test@domain.de", passwordHash: "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA", updatedAt: 0,
 * };
 * console.log(user.address); // "test@domain.de"
 * ```
 */
export interface UserRecord {
  /** The address, lower-case: `test@domain.de`. */
  address: string;
  /** A PHC string (`$scrypt$ln=15,r=8,p=1$salt$hash`); see `auth/password_hash.ts`. */
  passwordHash: string;
  /**
   * Dovecot's `{CRAM-MD5}` secret (precomputed HMAC-MD5 contexts, hex), kept
   * only while CRAM-MD5 is enabled; see `auth/cram_md5_secret.ts`.
   */
  cramMd5Secret?: string;
  /** When the user was created or its password last set (ms since epoch). */
  updatedAt: number;
}

/**
 * Users and their password hashes.
 *
 * @example
 * ```ts
 * import { MemoryUserStore } from "@tollgate/tollgate/store";
 * const users = new MemoryUserStore();
 * await users.put({ address: "test@domain.de", passwordHash: "$scrypt$...", updatedAt: 0 });
 * console.log((await users.get("test@domain.de"))?.address); // "test@domain.de"
 * ```
 */
export interface UserStore {
  /** The user with this exact (lower-case) address, or undefined. */
  get(address: string): Promise<UserRecord | undefined>;
  /** Creates or replaces the user. */
  put(user: UserRecord): Promise<void>;
  /** Removes the user; returns whether it existed. */
  remove(address: string): Promise<boolean>;
  /** A page of users sorted by address. */
  list(page: PageRequest): Promise<Page<UserRecord>>;
}

/**
 * Client networks that may relay without AUTH (qmail's `RELAYCLIENT`).
 *
 * Entries are normalised CIDR strings (`192.0.2.0/24`, `2001:db8::/32`).
 *
 * @example
 * ```ts
 * import { MemoryNetworkStore } from "@tollgate/tollgate/store";
 * const networks = new MemoryNetworkStore();
 * await networks.add("192.0.2.0/24");
 * console.log(await networks.list()); // ["192.0.2.0/24"]
 * ```
 */
export interface NetworkStore {
  /** Every entry, sorted. */
  list(): Promise<string[]>;
  /** Adds an entry; adding one that exists is not an error. */
  add(cidr: string): Promise<void>;
  /** Removes an entry; returns whether it existed. */
  remove(cidr: string): Promise<boolean>;
}

/**
 * What the queue knows about one accepted message.
 *
 * @example
 * ```ts
 * import type { QueuedMessage } from "@tollgate/tollgate/store";
 * const message: QueuedMessage = {
 *   id: "01a24f9768eb6ec3f444", from: "test@domain.de", to: ["friend@example.net"],
 *   clientAddress: "192.0.2.1", helo: "client.example", receivedAt: 0, size: 1351,
 * };
 * console.log(message.to); // ["friend@example.net"]
 * ```
 */
export interface QueuedMessage {
  /** The queue id: sortable by acceptance time. */
  id: string;
  /** The envelope sender (`MAIL FROM`); empty string for the null sender `<>`. */
  from: string;
  /** The envelope recipients (`RCPT TO`), in order. */
  to: string[];
  /** The authenticated user (SMTP AUTH), if the client authenticated. */
  authUser?: string;
  /** The client's IP address. */
  clientAddress: string;
  /** The name the client gave in HELO/EHLO. */
  helo: string;
  /** When the final `250` was decided (ms since epoch). */
  receivedAt: number;
  /** The stored size in bytes, Received header included. */
  size: number;
}

/**
 * The envelope data a writer commits; the queue adds `id` and `size`.
 *
 * @example
 * ```ts
 * import type { Envelope } from "@tollgate/tollgate/store";
 * const envelope: Envelope = {
 *   from: "", to: ["postmaster@domain.de"], clientAddress: "::1", helo: "h", receivedAt: 0,
 * };
 * console.log(envelope.from === ""); // true (the null sender)
 * ```
 */
export type Envelope = Omit<QueuedMessage, "id" | "size">;

/**
 * Streams one message body into the spool. Nothing is visible in the queue
 * until {@linkcode SpoolWriter.commit} resolves; only then is the message durable.
 *
 * @example
 * ```ts
 * import { createMemoryStores, type SpoolWriter } from "@tollgate/tollgate/store";
 * const writer: SpoolWriter = await createMemoryStores(Date.now).queue.create();
 * await writer.write(new TextEncoder().encode("Subject: hi\r\n\r\nHello.\r\n"));
 * const message = await writer.commit({ from: "", to: ["b@example.net"], clientAddress: "::1", helo: "h", receivedAt: 0 });
 * console.log(message.size); // 23
 * ```
 */
export interface SpoolWriter {
  /** The id the message will have in the queue. */
  readonly id: string;
  /** Appends bytes to the body. Resolve before writing more. */
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the message durable and visible; after this, `250` may be sent. */
  commit(envelope: Envelope): Promise<QueuedMessage>;
  /** Drops everything written; safe to call more than once, or after a failure. */
  abort(): Promise<void>;
}

/**
 * Where delivery to one recipient of a queued message stands.
 *
 * @example
 * ```ts
 * import type { RecipientStatus } from "@tollgate/tollgate/store";
 * const done: RecipientStatus[] = ["delivered", "bounced"];
 * console.log(done.includes("queued")); // false
 * ```
 */
export type RecipientStatus = "queued" | "delivered" | "bounced";

/**
 * The delivery state of one recipient.
 *
 * @example
 * ```ts
 * import type { RecipientState } from "@tollgate/tollgate/store";
 * const state: RecipientState = {
 *   address: "friend@example.net", status: "queued", attempts: 1, lastReply: "451 4.3.0 try later",
 * };
 * console.log(state.attempts); // 1
 * ```
 */
export interface RecipientState {
  /** The recipient, as in the envelope. */
  address: string;
  /** `queued` until it is delivered or bounced (a 5xx, or the queue lifetime ran out). */
  status: RecipientStatus;
  /** How many delivery attempts were made for this recipient. */
  attempts: number;
  /** The last reply or failure reason (`451 4.3.0 try later`, `connection refused`). */
  lastReply?: string;
  /** When the last attempt ended (ms since epoch). */
  lastAttemptAt?: number;
}

/**
 * What delivery has done with a queued message so far. A commit starts it
 * with every recipient `queued`, no attempts, and `nextAttemptAt` equal to
 * `receivedAt`; the delivery worker replaces it after each attempt.
 *
 * @example
 * ```ts
 * import type { DeliveryState } from "@tollgate/tollgate/store";
 * const state: DeliveryState = {
 *   nextAttemptAt: 60_000, recipients: [{ address: "friend@example.net", status: "queued", attempts: 1 }],
 * };
 * console.log(state.recipients[0].status); // "queued"
 * ```
 */
export interface DeliveryState {
  /** When the message is due for its next attempt (ms since epoch). */
  nextAttemptAt: number;
  /** One entry per envelope recipient, in `to` order. */
  recipients: RecipientState[];
  /**
   * Present while the message is on hold: `nextAttemptAt` is then
   * `Number.MAX_SAFE_INTEGER` (so `due()` never finds it) and `dueAt` is
   * when it was due before, restored on release.
   */
  held?: { dueAt: number };
}

/**
 * A message that is due, with its delivery state.
 *
 * @example
 * ```ts
 * import { createMemoryStores, type DueMessage } from "@tollgate/tollgate/store";
 * const { queue } = createMemoryStores(() => 0);
 * const writer = await queue.create();
 * await writer.commit({ from: "", to: ["b@example.net"], clientAddress: "::1", helo: "h", receivedAt: 0 });
 * const [due]: DueMessage[] = await queue.due(0, 10);
 * console.log(due.delivery.recipients[0].status); // "queued"
 * ```
 */
export interface DueMessage {
  /** The envelope. */
  message: QueuedMessage;
  /** Its delivery state. */
  delivery: DeliveryState;
}

/**
 * What the queue holds, counted without reading every message
 * ({@linkcode MessageQueue.stats}).
 *
 * @example
 * ```ts
 * import { createMemoryStores, type QueueStats } from "@tollgate/tollgate/store";
 * const stats: QueueStats = await createMemoryStores(Date.now).queue.stats();
 * console.log(stats); // { messages: 0, held: 0, bytes: 0 }
 * ```
 */
export interface QueueStats {
  /** Committed messages in the queue, held ones included. */
  messages: number;
  /** Messages on hold (their delivery state has `held`). */
  held: number;
  /** The sum of their `size`s in bytes. */
  bytes: number;
  /**
   * The `receivedAt` of the oldest message: the first in `list()` order (ids
   * sort by when a message was started, so a message whose transfer began
   * earlier but ended later may come first); absent when the queue is empty.
   */
  oldestReceivedAt?: number;
}

/**
 * The durable mail queue: accepted messages waiting for delivery.
 *
 * @example
 * ```ts
 * import { MemoryMessageQueue } from "@tollgate/tollgate/store";
 * const queue = new MemoryMessageQueue(() => Date.now());
 * const writer = await queue.create();
 * await writer.write(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await writer.commit({
 *   from: "a@example.net", to: ["b@example.net"], clientAddress: "127.0.0.1",
 *   helo: "client.test", receivedAt: Date.now(),
 * });
 * console.log((await queue.list({ limit: 10 })).items.length); // 1
 * ```
 */
export interface MessageQueue {
  /** Starts a new message. */
  create(): Promise<SpoolWriter>;
  /** A page of queued messages, oldest first. */
  list(page: PageRequest): Promise<Page<QueuedMessage>>;
  /** One queued message's envelope, or undefined. */
  get(id: string): Promise<QueuedMessage | undefined>;
  /** The stored body (with the Received header), in chunks. */
  readBody(id: string): AsyncIterable<Uint8Array>;
  /** Removes a message and its body; returns whether it existed. */
  remove(id: string): Promise<boolean>;
  /** One queued message's delivery state, or undefined. */
  delivery(id: string): Promise<DeliveryState | undefined>;
  /**
   * At most `limit` messages whose `nextAttemptAt` is at or before `now`,
   * earliest first (ties by id).
   */
  due(now: number, limit: number): Promise<DueMessage[]>;
  /** Replaces a message's delivery state; returns false when the message is gone. */
  update(id: string, delivery: DeliveryState): Promise<boolean>;
  /** How many messages (and bytes) are queued and held, and the oldest one's receipt; cheap on a large queue. */
  stats(): Promise<QueueStats>;
}

/**
 * A due message that one node has claimed for delivery until `leaseUntil`.
 *
 * @example
 * ```ts
 * import type { ClaimedMessage, DueMessage } from "@tollgate/tollgate/store";
 * const claim = (due: DueMessage, leaseMs: number, now: number): ClaimedMessage =>
 *   ({ ...due, leaseUntil: now + leaseMs });
 * console.log(typeof claim); // "function"
 * ```
 */
export interface ClaimedMessage extends DueMessage {
  /** The lease ends then (ms since epoch); after it, another node may claim the message. */
  leaseUntil: number;
}

/**
 * What a node did with a claimed message, handed back with the lease.
 *
 * @example
 * ```ts
 * import type { LeaseOutcome } from "@tollgate/tollgate/store";
 * const delivered: LeaseOutcome = { kind: "remove" };
 * console.log(delivered.kind); // "remove"
 * ```
 */
export type LeaseOutcome =
  | { kind: "update"; delivery: DeliveryState }
  | { kind: "remove" };

/**
 * Delivery leases: how several nodes share one queue without delivering a
 * message twice at the same time. A node claims due messages for a while,
 * renews the lease while a delivery runs longer, and releases it with the
 * outcome. A node that dies stops renewing; its leases run out and another
 * node claims the messages (delivery is at-least-once: a node that dies after
 * delivering but before releasing causes one duplicate).
 *
 * A separate interface from {@linkcode MessageQueue}, so the single-node
 * backends need not implement it; `due()` ignores leases.
 *
 * @example
 * ```ts ignore
 * import type { DeliveryLeases } from "@tollgate/tollgate/store";
 * declare const leases: DeliveryLeases; // a PostgresMessageQueue
 * for (const claimed of await leases.claim("node-a", Date.now(), { limit: 10, leaseMs: 600_000 })) {
 *   await leases.release(claimed.message.id, "node-a", { kind: "remove" });
 * }
 * ```
 */
export interface DeliveryLeases {
  /**
   * Claims up to `limit` due messages that nobody holds (no lease, or one that
   * ended at or before `now`), earliest `nextAttemptAt` first, for `leaseMs`.
   * Messages another node is claiming at this moment are skipped, not waited for.
   */
  claim(owner: string, now: number, options: { limit: number; leaseMs: number }): Promise<
    ClaimedMessage[]
  >;
  /** Extends `owner`'s lease on `id` to `until`; false when `owner` no longer holds it. */
  renew(id: string, owner: string, until: number): Promise<boolean>;
  /**
   * Ends `owner`'s lease on `id` and applies the outcome (a new delivery state,
   * or removal of the message and its body); false, and nothing applied, when
   * `owner` no longer holds it (its lease ran out and another node claimed it).
   */
  release(id: string, owner: string, outcome: LeaseOutcome): Promise<boolean>;
}

/**
 * How a connection to the route's relay is secured.
 *
 * - `starttls`: STARTTLS is required and the certificate is verified; no
 *   mail (and no password) goes over a connection without it.
 * - `implicit`: TLS from the first byte (SMTPS, RFC 8314; port 465).
 * - `opportunistic`: STARTTLS when offered, certificate not verified, plain
 *   text otherwise (as for MX hosts). Credentials still need TLS.
 * - `none`: never TLS. Credentials go in clear text: only for a relay on a
 *   trusted network.
 *
 * @example
 * ```ts
 * import type { TlsMode } from "@tollgate/tollgate/store";
 * const modes: TlsMode[] = ["starttls", "implicit", "opportunistic", "none"];
 * console.log(modes.length); // 4
 * ```
 */
export type TlsMode = "starttls" | "implicit" | "opportunistic" | "none";

/**
 * A SASL mechanism the client may use to authenticate at a relay.
 *
 * @example
 * ```ts
 * import type { RouteMechanism } from "@tollgate/tollgate/store";
 * const allowed: RouteMechanism[] = ["CRAM-MD5", "PLAIN"];
 * console.log(allowed.includes("LOGIN")); // false
 * ```
 */
export type RouteMechanism = "CRAM-MD5" | "PLAIN" | "LOGIN";

/**
 * The SASL mechanisms that carry an OAuth 2.0 access token (XOAUTH2, RFC 7628's OAUTHBEARER).
 *
 * @example
 * ```ts
 * import type { OAuthMechanism } from "@tollgate/tollgate/store";
 * const google: OAuthMechanism = "xoauth2";
 * console.log(google); // "xoauth2"
 * ```
 */
export type OAuthMechanism = "xoauth2" | "oauthbearer";

/**
 * A route's OAuth 2.0 client: where and how Tollgate gets the access token it
 * sends to the relay. Without `refreshToken` the client-credentials grant is
 * used (Microsoft 365 app-only SMTP), with it the refresh-token grant (Google).
 * The secrets are stored as given, like route passwords, and never shown.
 *
 * @example
 * ```ts
 * import type { RouteOAuth2 } from "@tollgate/tollgate/store";
 * const oauth2: RouteOAuth2 = {
 *   mechanism: "xoauth2",
 *   tokenUrl: "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token",
 *   clientId: "00000000-0000-0000-0000-000000000000",
 *   clientSecret: "secret",
 *   scope: "https://outlook.office365.com/.default",
 * };
 * console.log(oauth2.refreshToken === undefined); // true: client credentials
 * ```
 */
export interface RouteOAuth2 {
  /** The SASL mechanism used at the relay. */
  mechanism: OAuthMechanism;
  /** The authorization server's token endpoint (https, or http on loopback). */
  tokenUrl: string;
  /** The OAuth client's id. */
  clientId: string;
  /** The OAuth client's secret: never shown by the admin API. */
  clientSecret: string;
  /** A refresh token (refresh-token grant); absent means the client-credentials grant. */
  refreshToken?: string;
  /** The scope to ask for; absent means none is sent. */
  scope?: string;
}

/**
 * One outbound route.
 *
 * @example
 * ```ts
 * import type { Route } from "@tollgate/tollgate/store";
 * const route: Route = {
 *   pattern: "*",
 *   relay: "mail.provider.example",
 *   port: 587,
 *   username: "trottel",
 *   password: "ich",
 *   tls: "starttls",
 * };
 * console.log(route.pattern); // "*"
 * ```
 */
export interface Route {
  /** `example.com`, `.example.com` or `*`, normalized (`normalizeRoutePattern`, delivery). */
  pattern: string;
  /** The relay's host name or IP address; absent means "use the domain's MX hosts". */
  relay?: string;
  /** The port; absent means `routePort`'s default (25, or 465 for `implicit`). */
  port?: number;
  /** The SMTP AUTH user name at the relay; set together with `password`. */
  username?: string;
  /** The SMTP AUTH password: kept for outbound AUTH, never shown by the admin API. */
  password?: string;
  /** How the connection is secured. */
  tls: TlsMode;
  /** The mechanisms allowed, in order of preference; absent means CRAM-MD5, PLAIN, LOGIN. */
  mechanisms?: RouteMechanism[];
  /** OAuth 2.0 instead of a password: `username` is then the mailbox the token is for. */
  oauth2?: RouteOAuth2;
}

/**
 * Outbound routes (qmail's `smtproutes`), keyed by their normalised pattern.
 *
 * Passwords are stored as given, because the client must send them to the
 * relay; the admin API never hands them out.
 *
 * @example
 * ```ts
 * import { MemoryRouteStore } from "@tollgate/tollgate/store";
 * const routes = new MemoryRouteStore();
 * await routes.put({ pattern: "*", relay: "mail.provider.example", tls: "starttls" });
 * console.log((await routes.list()).map((route) => route.pattern)); // ["*"]
 * ```
 */
export interface RouteStore {
  /** Every route, sorted by pattern. */
  list(): Promise<Route[]>;
  /** The route with this exact pattern, or undefined. */
  get(pattern: string): Promise<Route | undefined>;
  /** Creates or replaces the route with `route.pattern`. */
  put(route: Route): Promise<void>;
  /** Creates or replaces every route in one step: all of them, or on failure none. */
  putAll(routes: Route[]): Promise<void>;
  /** Removes the route; returns whether it existed. */
  remove(pattern: string): Promise<boolean>;
}

/**
 * Every store a Tollgate server needs, as one bundle to inject.
 *
 * @example
 * ```ts
 * import { createMemoryStores, type Stores } from "@tollgate/tollgate/store";
 * const stores: Stores = createMemoryStores(Date.now);
 * await stores.domains.add("domain.de");
 * console.log(await stores.domains.list()); // ["domain.de"]
 * ```
 */
export interface Stores {
  /** Local domains (rcpthosts). */
  domains: DomainStore;
  /** Users and password hashes. */
  users: UserStore;
  /** Networks that may relay without AUTH. */
  networks: NetworkStore;
  /** The mail queue. */
  queue: MessageQueue;
  /** Outbound routes. */
  routes: RouteStore;
  /** Envelope senders granted to users besides their own address. */
  senders: SenderStore;
  /** DKIM signing keys per domain. */
  dkim: DkimKeyStore;
  /**
   * Failed logins and bans shared by every node on this store; absent on a
   * single-node backend, whose login limiter keeps them in memory.
   */
  loginAttempts?: LoginAttemptStore;
}
