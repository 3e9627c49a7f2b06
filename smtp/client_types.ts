/**
 * The client session's vocabulary: its options and timeouts, the actions it
 * asks of its adapter, and the expectation of a reply.
 *
 * @module
 */
import type { ClientMechanismName } from "../auth/sasl_client.ts";
import type { TlsMode } from "../store/types.ts";
import type { SmtpReply } from "./reply_reader.ts";

/** One message to send: the envelope and the body's size in bytes (for SIZE=). */
export interface ClientMessage {
  /** The envelope sender; `""` for the null sender `<>`. */
  from: string;
  /** The envelope recipients, at least one. */
  to: readonly string[];
  /** The body's size in bytes, declared with `SIZE=` when the server offers SIZE. */
  size: number;
}

/** What became of one recipient. `reply` is the server's reply, or why there was none. */
export type RecipientOutcome = {
  /** The recipient, as given. */
  address: string;
  /** `delivered` (2xx), `permanent` (5xx: bounce) or `temporary` (anything else: retry). */
  status: "delivered" | "temporary" | "permanent";
  /** The server's reply on one line, or why there was none (never a password). */
  reply: string;
};

/** Timeouts in ms; RFC 5321 §4.5.3.2 gives the defaults. */
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

/** RFC 5321 §4.5.3.2's values (and 30 s to connect, as Postfix). */
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

/** Credentials for AUTH and the mechanisms allowed, in order of preference. */
export interface ClientAuth {
  /** The user name at the relay. */
  username: string;
  /** Never put into a log line or a failure reason. */
  password: string;
  /** Allowed mechanisms, preferred first; default CRAM-MD5, PLAIN, LOGIN. */
  mechanisms?: readonly ClientMechanismName[];
}

/** How one client session behaves. */
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

/** The steps reported by `progress` actions. */
export type ClientStep = "greeting" | "ehlo" | "helo" | "starttls" | "auth";

/** What the session asks of its adapter. */
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
