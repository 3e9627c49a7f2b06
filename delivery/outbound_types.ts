/**
 * What delivery needs from a runtime, as types: the SMTP client's target,
 * messages and outcomes, the MX lookup's answer and the local (Maildir)
 * message. `runtime/deno/` implements them (`smtp_client.ts`, `mx.ts`,
 * `maildir.ts`); the worker in `delivery_worker.ts` takes them injected.
 *
 * @module
 */
import type { TlsMode } from "./routes.ts";
import type { ClientMechanismName } from "../auth/sasl_client.ts";
import type { OAuthRoute } from "./oauth_tokens.ts";
import type { ClientTimeouts, RecipientOutcome } from "../smtp/client_types.ts";

export type { RecipientOutcome };

/**
 * Where and how to connect.
 *
 * @example
 * ```ts
 * import type { OutboundTarget } from "@tollgate/tollgate/delivery";
 * const target: OutboundTarget = {
 *   host: "mail.provider.example", port: 587, tls: "starttls", ehloName: "mail.example.net",
 * };
 * console.log(target.port); // 587
 * ```
 */
export interface OutboundTarget {
  /** Host name or IP address. */
  host: string;
  /** The TCP port. */
  port: number;
  /** How the connection is secured (the route's mode; `opportunistic` for MX hosts). */
  tls: TlsMode;
  /** The name the certificate must carry (and SNI); default `host`. */
  servername?: string;
  /** Credentials for AUTH; sent only over TLS, unless `tls` is `none` or the peer is loopback. */
  auth?: { username: string; password: string; mechanisms?: readonly ClientMechanismName[] };
  /** An OAuth 2.0 route: `withOAuthTokens` turns it into `auth` with its token. */
  oauth?: OAuthRoute;
  /** The name sent with EHLO. */
  ehloName: string;
  /** Overrides of RFC 5321 §4.5.3.2's timeouts (and 30 s to connect). */
  timeouts?: Partial<ClientTimeouts>;
  /** PEM certificates to trust instead of the system's roots (a private relay's CA). */
  caCertificates?: string[];
}

/**
 * One message: the envelope, the body as a fresh stream on each call, and its size.
 *
 * @example
 * ```ts
 * import type { OutboundMessage } from "@tollgate/tollgate/delivery";
 * const message: OutboundMessage = {
 *   from: "a@example.net", to: ["b@example.org"], size: 5,
 *   body: async function* () {
 *     yield new TextEncoder().encode("Hi!\r\n");
 *   },
 * };
 * console.log(message.to.length); // 1
 * ```
 */
export interface OutboundMessage {
  /** The envelope sender; `""` for the null sender. */
  from: string;
  /** The envelope recipients. */
  to: string[];
  /** The message as stored (CRLF lines, not dot-stuffed); called once per attempt. */
  body: () => AsyncIterable<Uint8Array>;
  /** The body's size in bytes, for `SIZE=`. */
  size: number;
}

/**
 * The SMTP client: delivers messages over one connection and answers per
 * message, per recipient, in order (the Deno one is `deliverOverSmtp`).
 *
 * @example
 * ```ts
 * import type { DeliverOverSmtp } from "@tollgate/tollgate/delivery";
 * const acceptAll: DeliverOverSmtp = (_target, messages) =>
 *   Promise.resolve(messages.map((message) =>
 *     message.to.map((address) => ({ address, status: "delivered" as const, reply: "250 ok" }))
 *   ));
 * ```
 */
export type DeliverOverSmtp = (
  target: OutboundTarget,
  messages: OutboundMessage[],
) => Promise<RecipientOutcome[][]>;

/**
 * One host to try, with its addresses (IPv4 first).
 *
 * @example
 * ```ts
 * import type { MailHost } from "@tollgate/tollgate/delivery";
 * const host: MailHost = { name: "mx.example.org", preference: 10, addresses: ["192.0.2.25"] };
 * console.log(host.addresses[0]); // "192.0.2.25"
 * ```
 */
export interface MailHost {
  /** The host name without the trailing dot (or the literal address). */
  name: string;
  /** Its MX preference (0 for an implicit MX or a literal). */
  preference: number;
  /** Its IP addresses, to be tried in order. */
  addresses: string[];
}

/**
 * The hosts to try in order, or why there are none (the Deno lookup is `lookupMailHosts`).
 *
 * @example
 * ```ts
 * import type { MxLookup } from "@tollgate/tollgate/delivery";
 * const noDns = (): Promise<MxLookup> =>
 *   Promise.resolve({ kind: "temporary", reply: "no DNS here" });
 * console.log((await noDns()).kind); // "temporary"
 * ```
 */
export type MxLookup =
  | { kind: "hosts"; hosts: MailHost[] }
  | { kind: "permanent"; reply: string }
  | { kind: "temporary"; reply: string };

/**
 * One message for one local mailbox (the Deno delivery is `deliverToMaildir`).
 *
 * @example
 * ```ts
 * import type { LocalMessage } from "@tollgate/tollgate/delivery";
 * const message: LocalMessage = {
 *   from: "a@example.net", mailbox: "test@domain.de",
 *   body: (async function* () {
 *     yield new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n");
 *   })(),
 * };
 * console.log(message.mailbox); // "test@domain.de"
 * ```
 */
export interface LocalMessage {
  /** The envelope sender; empty for the null sender (`Return-Path: <>`). */
  from: string;
  /** The mailbox, `user@domain`, as the user store keeps it (lower-case). */
  mailbox: string;
  /** The stored message (CRLF line ends), Received header included. */
  body: AsyncIterable<Uint8Array>;
}
