/**
 * The vocabulary between the server session and its adapter: the options a
 * session is made with, the actions it asks for, and the answers it takes.
 *
 * @module
 */
import type { Credentials, VerifyResult } from "../auth/credentials.ts";
import type { MechanismName } from "../auth/sasl.ts";
import type { Envelope } from "../store/types.ts";

/**
 * What the session asks of its adapter.
 *
 * @example
 * ```ts
 * import type { SessionAction } from "@tollgate/tollgate/smtp";
 * const action: SessionAction = { kind: "send", text: "250 2.0.0 ok\r\n" };
 * if (action.kind === "send") console.log(JSON.stringify(action.text)); // "250 2.0.0 ok\r\n"
 * ```
 */
export type SessionAction =
  | { kind: "send"; /** One or more complete reply lines. */ text: string }
  | { kind: "wait"; /** Pause this session only, then go on with the next action. */ ms: number }
  | { kind: "verify-credentials"; credentials: Credentials }
  | { kind: "check-sender"; sender: string; authenticatedUser: string }
  | { kind: "check-recipient"; recipient: string; authenticatedUser?: string }
  | { kind: "message-begin" }
  | { kind: "message-data"; bytes: Uint8Array }
  | { kind: "message-end"; envelope: Envelope }
  | { kind: "message-abort" }
  | {
    kind: "start-tls";
    /** `220` has been sent and pipelined plaintext dropped: upgrade, then start a new session. */
  }
  | { kind: "close" };

/**
 * The TLS connection a session runs inside, for the Received header.
 *
 * @example
 * ```ts
 * import type { TlsInfo } from "@tollgate/tollgate/smtp";
 * const tls: TlsInfo = { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" };
 * console.log(tls.protocol); // "TLSv1.3"
 * ```
 */
export interface TlsInfo {
  /** `TLSv1.3`, `TLSv1.2`, ... */
  protocol: string;
  /** The cipher suite's standard name: `TLS_AES_256_GCM_SHA384`. */
  cipher: string;
}

/**
 * The adapter's answer to `message-end`.
 *
 * @example
 * ```ts
 * import type { StoreResult } from "@tollgate/tollgate/smtp";
 * const result: StoreResult = { kind: "failed", reason: "disk full", storageFull: true };
 * console.log(result.kind); // "failed"
 * ```
 */
export type StoreResult =
  | { kind: "stored"; id: string }
  | {
    kind: "failed";
    /** Why, for the log. */
    reason: string;
    /** The disk is full: `452 4.3.1` instead of `451 4.3.0` (RFC 3463 "mail system full"). */
    storageFull?: boolean;
  };

/**
 * How one session behaves; everything from outside is passed in here.
 *
 * @example
 * ```ts
 * import type { ServerSessionOptions } from "@tollgate/tollgate/smtp";
 * const options: ServerSessionOptions = {
 *   hostname: "mail.example.net", clientAddress: "192.0.2.1", maxMessageBytes: 10_000_000,
 *   authMechanisms: ["PLAIN", "LOGIN"], authFailureDelayMs: 1000,
 *   randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
 * };
 * console.log(options.authMechanisms); // ["PLAIN", "LOGIN"]
 * ```
 */
export interface ServerSessionOptions {
  /** This server's name: greeting, EHLO, Received. */
  hostname: string;
  /** The client's IP address. */
  clientAddress: string;
  /** The client's name from reverse DNS, if the adapter looked it up. */
  clientHostname?: string;
  /** The largest message accepted, in bytes (SIZE; qmail's databytes). */
  maxMessageBytes: number;
  /** The SASL mechanisms offered, in EHLO order; empty: AUTH is not offered. */
  authMechanisms: readonly MechanismName[];
  /**
   * Set when AUTH exists but not on this connection because it is not
   * encrypted (`TOLLGATE_INSECURE_AUTH`): AUTH then gets `538`, not `502`.
   */
  authNeedsEncryption?: boolean;
  /** Offer STARTTLS (a certificate is configured and TLS is not active yet). */
  startTls?: boolean;
  /** Set when the session runs inside TLS (after STARTTLS, or implicit TLS). */
  tls?: TlsInfo;
  /** Submission (RFC 6409): MAIL needs AUTH first (`530 5.7.0`). */
  requireAuth?: boolean;
  /** The pause before `535` after a failed AUTH. */
  authFailureDelayMs: number;
  /** A CSPRNG, for CRAM-MD5 challenges. */
  randomBytes: (n: number) => Uint8Array;
  /** The most recipients per message (RFC 5321 §4.5.3.1.8: at least 100). Default 100. */
  maxRecipients?: number;
  /** 5xx replies after which the session ends with `421` (Postfix: 20). Default 20. */
  maxErrors?: number;
  /** NOOP/RSET/VRFY/HELP/unknown commands after which it ends (Postfix: 100). Default 100. */
  maxJunkCommands?: number;
}

/**
 * The adapter's answer to `verify-credentials`: the verifier's result, or the limiter's ban.
 *
 * @example
 * ```ts
 * import type { AuthAnswer } from "@tollgate/tollgate/smtp";
 * const answers: AuthAnswer[] = [{ kind: "accepted", user: "alice" }, { kind: "locked-out" }];
 * console.log(answers.map((answer) => answer.kind)); // ["accepted", "locked-out"]
 * ```
 */
export type AuthAnswer = VerifyResult | { kind: "locked-out" };
