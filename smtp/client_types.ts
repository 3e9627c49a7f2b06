/**
 * The client session's vocabulary: its options and timeouts, the actions it
 * asks of its adapter, and the expectation of a reply.
 *
 * @module
 */
import type { ClientMechanismName } from "../auth/sasl_client.ts";
import type { TlsMode } from "../store/types.ts";
import type { SmtpReply } from "./reply_reader.ts";

/**
 * One message to send: the envelope and the body's size in bytes (for SIZE=).
 *
 * @example
 * ```ts
 * import type { ClientMessage } from "@tollgate/tollgate/smtp";
 * const message: ClientMessage = { from: "a@example.net", to: ["b@example.org"], size: 1024 };
 * console.log(message.to[0]); // "b@example.org"
 * ```
 */
export interface ClientMessage {
  /** The envelope sender; `""` for the null sender `<>`. */
  from: string;
  /** The envelope recipients, at least one. */
  to: readonly string[];
  /** The body's size in bytes, declared with `SIZE=` when the server offers SIZE. */
  size: number;
}

/**
 * What became of one recipient. `reply` is the server's reply, or why there was none.
 *
 * @example
 * ```ts
 * import type { RecipientOutcome } from "@tollgate/tollgate/smtp";
 * const outcome: RecipientOutcome = {
 *   address: "b@example.org", status: "permanent", reply: "550 5.1.1 no such user",
 * };
 * console.log(outcome.status); // "permanent"
 * ```
 */
export type RecipientOutcome = {
  /** The recipient, as given. */
  address: string;
  /** `delivered` (2xx), `permanent` (5xx: bounce) or `temporary` (anything else: retry). */
  status: "delivered" | "temporary" | "permanent";
  /** The server's reply on one line, or why there was none (never a password). */
  reply: string;
};

/**
 * Timeouts in ms; RFC 5321 §4.5.3.2 gives the defaults.
 *
 * @example
 * ```ts
 * import { type ClientTimeouts, DEFAULT_CLIENT_TIMEOUTS } from "@tollgate/tollgate/smtp";
 * const timeouts: ClientTimeouts = { ...DEFAULT_CLIENT_TIMEOUTS, connect: 10_000 };
 * console.log(timeouts.connect, timeouts.greeting); // 10000 300000
 * ```
 */
export interface ClientTimeouts {
  /** Opening the TCP connection (used by the connector; not in RFC 5321). Default 30 s. */
  connect: number;
  /** The 220 greeting. Default 5 min. */
  greeting: number;
  /** EHLO, HELO, STARTTLS and its handshake, AUTH, RSET, QUIT. Default 5 min. */
  command: number;
  /** The reply to MAIL. Default 5 min. */
  mail: number;
  /** The reply to each RCPT. Default 5 min. */
  rcpt: number;
  /** The `354` to DATA. Default 2 min. */
  dataInit: number;
  /** Each block of message data sent. Default 3 min. */
  dataBlock: number;
  /** The reply to the final `.`. Default 10 min. */
  dataTermination: number;
}

/**
 * RFC 5321 §4.5.3.2's values (and 30 s to connect, as Postfix).
 *
 * @example
 * ```ts
 * import { DEFAULT_CLIENT_TIMEOUTS } from "@tollgate/tollgate/smtp";
 * const timeouts = { ...DEFAULT_CLIENT_TIMEOUTS, greeting: 60_000 };
 * console.log(timeouts.greeting, timeouts.dataTermination); // 60000 600000 (10 min)
 * ```
 */
export const DEFAULT_CLIENT_TIMEOUTS: Readonly<ClientTimeouts> = {
  connect: 30_000,
  greeting: 300_000,
  command: 300_000,
  mail: 300_000,
  rcpt: 300_000,
  dataInit: 120_000,
  dataBlock: 180_000,
  dataTermination: 600_000,
};

/**
 * Credentials for AUTH and the mechanisms allowed, in order of preference.
 *
 * @example
 * ```ts
 * import type { ClientAuth } from "@tollgate/tollgate/smtp";
 * const auth: ClientAuth = { username: "relay-user", password: "secret", mechanisms: ["PLAIN"] };
 * console.log(auth.mechanisms); // ["PLAIN"]
 * ```
 */
export interface ClientAuth {
  /** The user name at the relay. */
  username: string;
  /** Never put into a log line or a failure reason. */
  password: string;
  /** Allowed mechanisms, preferred first; default CRAM-MD5, PLAIN, LOGIN. */
  mechanisms?: readonly ClientMechanismName[];
}

/**
 * How one client session behaves.
 *
 * @example
 * ```ts
 * import type { ClientSessionOptions } from "@tollgate/tollgate/smtp";
 * const options: ClientSessionOptions = {
 *   ehloName: "mail.example.net", tls: "starttls", peerIsLoopback: false,
 *   timeouts: { command: 60_000 },
 * };
 * console.log(options.tls); // "starttls"
 * ```
 */
export interface ClientSessionOptions {
  /** The name sent with EHLO/HELO. */
  ehloName: string;
  /** The route's TLS mode; `implicit` means the connection is already encrypted. */
  tls: TlsMode;
  /** The connection goes to a loopback address: credentials may then go without TLS. */
  peerIsLoopback: boolean;
  /** Credentials, if the route has any. */
  auth?: ClientAuth;
  /** `opportunistic` only: do not try STARTTLS (a handshake with this server just failed). */
  skipStartTls?: boolean;
  /** Overrides of {@linkcode DEFAULT_CLIENT_TIMEOUTS}. */
  timeouts?: Partial<ClientTimeouts>;
}

/**
 * The steps reported by `progress` actions.
 *
 * @example
 * ```ts
 * import type { ClientStep } from "@tollgate/tollgate/smtp";
 * const steps: ClientStep[] = ["greeting", "ehlo", "starttls", "auth"];
 * console.log(steps.length); // 4
 * ```
 */
export type ClientStep = "greeting" | "ehlo" | "helo" | "starttls" | "auth";

/**
 * What the session asks of its adapter.
 *
 * @example
 * ```ts
 * import type { ClientAction } from "@tollgate/tollgate/smtp";
 * const action: ClientAction = { kind: "progress", step: "ehlo", ok: true, detail: "250 ok" };
 * if (action.kind === "progress") console.log(action.step); // "ehlo"
 * ```
 */
export type ClientAction =
  | { kind: "send"; bytes: Uint8Array }
  | { kind: "start-tls" /** Then call `tlsStarted` or `tlsFailed`. */ }
  | { kind: "progress"; step: ClientStep; ok: boolean; /** Never holds a secret. */ detail: string }
  | { kind: "ready" /** Call `send(message)` or `quit()`. */ }
  | { kind: "send-body" /** Call `bodyData` for each chunk, then `bodyEnd`. */ }
  | { kind: "message-done"; outcomes: RecipientOutcome[] }
  | { kind: "failed"; /** Every message not done is temporary for this reason. */ reason: string }
  | { kind: "close" };

/** A reply the session waits for, and what to do with it. */
export interface Expectation {
  /** The command, for timeout reasons: `RCPT TO`. */
  command: string;
  /** How long to wait for the reply, in ms. */
  timeout: number;
  /** Handles the reply, adding actions to `out`. */
  onReply(reply: SmtpReply, out: ClientAction[]): void;
}
