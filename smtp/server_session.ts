/**
 * The SMTP server session: the one place where the protocol's states live.
 *
 * A pure state machine in the style of h11: the adapter feeds it bytes and
 * the current time, and it returns {@linkcode SessionAction}s — bytes to
 * send, a pause, a request to check credentials or a recipient, the message
 * body to spool, or "close". Requests are answered through
 * {@linkcode ServerSession.credentialsVerified},
 * {@linkcode ServerSession.recipientChecked} and
 * {@linkcode ServerSession.messageStored}; until then the session reads no
 * further command, so pipelined commands are answered in order. It never
 * awaits, reads a clock or draws randomness of its own.
 *
 * @module
 */
import { createServerMechanism, isMechanismName } from "../auth/mechanisms.ts";
import type { SaslStep, ServerMechanism } from "../auth/sasl.ts";
import type { RecipientVerdict } from "../relay/verdict.ts";
import type { SenderCheck } from "../relay/sender_policy.ts";
import type { Envelope } from "../store/types.ts";
import { parsePath } from "./address.ts";
import { ehloReply, mailParameterError } from "./capabilities.ts";
import { type DataOutcome, DataReader } from "./data_reader.ts";
import { InputBuffer, LINE_TOO_LONG } from "./input_buffer.ts";
import { protocolWord, receivedHeader } from "./received.ts";
import { replies } from "./replies.ts";
import { type Refusal, SessionLimits } from "./session_limits.ts";
import type {
  AuthAnswer,
  ServerSessionOptions,
  SessionAction,
  StoreResult,
} from "./server_types.ts";

type Pending = "credentials" | "sender" | "recipient" | "message";

const MAX_COMMAND_LINE = 2048;
/** An authenticated user name safe to show in replies, headers and logs. */
// deno-lint-ignore no-control-regex -- excluding control characters is the point
const SAFE_USER = /^[^\x00-\x1f\x7f-\x9f]{1,255}$/;
const MAX_SASL_LINE = 12288;
/** The reply to a message refused at the end of DATA (a bare newline also closes). */
const DATA_REFUSALS = {
  "bare-newline": replies.bareNewline,
  "too-big": replies.tooBig,
  "line-too-long": replies.bodyLineTooLong,
  "too-many-hops": replies.tooManyHops,
} as const;
const encoder = new TextEncoder();
/** RFC 7628 §3.2.2: the error challenge after a refused bearer token. */
const OAUTH_ERROR = btoa(JSON.stringify({ status: "invalid_token" }));

/**
 * One SMTP connection's protocol state.
 *
 * @example
 * ```ts
 * import { ServerSession } from "@tollgate/tollgate/smtp";
 * const session = new ServerSession({
 *   hostname: "mail.domain.de", clientAddress: "192.168.10.10", maxMessageBytes: 1 << 20,
 *   authMechanisms: ["LOGIN", "CRAM-MD5", "PLAIN"], authFailureDelayMs: 2000,
 *   randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
 * });
 * console.log(session.start()); // [{ kind: "send", text: "220 mail.domain.de ESMTP\r\n" }]
 * const actions = session.receive(new TextEncoder().encode("ehlo hostname\r\n"), Date.now());
 * console.log(actions[0].kind); // "send"
 * ```
 */
export class ServerSession {
  readonly #options: ServerSessionOptions;
  readonly #input = new InputBuffer();
  readonly #limits: SessionLimits;
  #helo: { name: string; esmtp: boolean } | undefined;
  #authUser: string | undefined;
  #sender: string | undefined;
  #recipients: string[] = [];
  #pendingRecipient = "";
  #pendingSender = "";
  #sasl: ServerMechanism | undefined;
  /** Set while a bearer token is checked; then the delay before `535` after the client's dummy. */
  #oauth: { failureDelayMs?: number } | undefined;
  #data: DataReader | undefined;
  #pending: Pending | undefined;
  #closed = false;
  #progress = 0;

  /** A session for one newly accepted connection. */
  constructor(options: ServerSessionOptions) {
    this.#options = options;
    this.#limits = new SessionLimits({
      maxErrors: options.maxErrors ?? 20,
      maxJunkCommands: options.maxJunkCommands ?? 100,
    });
  }

  /** Whether the session has asked to close; it then ignores further input. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Grows with every complete command line and every DATA chunk used: an
   * adapter can cut off a client that trickles bytes without finishing a
   * command (slowloris) by watching it.
   */
  get progress(): number {
    return this.#progress;
  }

  /** The authenticated user, once AUTH succeeded. */
  get authenticatedUser(): string | undefined {
    return this.#authUser;
  }

  /** The greeting. Call once, before any input. */
  start(): SessionAction[] {
    return [send(replies.greeting(this.#options.hostname))];
  }

  /**
   * Feeds bytes from the client. `message-data` actions are views of
   * `bytes`; once the session has answered and waits for more input (every
   * request it made has been answered), it keeps nothing of `bytes`, so the
   * caller may read the next bytes into the same buffer.
   */
  receive(bytes: Uint8Array, now: number): SessionAction[] {
    if (this.#closed) return [];
    this.#input.append(bytes);
    return this.#pump(now, []);
  }

  /**
   * Answers `verify-credentials`. `locked-out` (too many failures from this
   * client) ends the session with `421`. A rejection is answered after
   * `failureDelayMs` (default: the `authFailureDelayMs` option).
   */
  credentialsVerified(
    result: AuthAnswer,
    now: number,
    options: { failureDelayMs?: number } = {},
  ): SessionAction[] {
    this.#settle("credentials");
    if (result.kind !== "rejected") this.#oauth = undefined;
    const out: SessionAction[] = [];
    if (result.kind === "accepted" && !SAFE_USER.test(result.user)) {
      // A backend handed back a name that would forge lines in replies and headers.
      out.push(send(replies.authTemporary));
    } else if (result.kind === "accepted") {
      this.#authUser = result.user;
      out.push(send(replies.authOk));
    } else if (result.kind === "rejected" && this.#oauth) {
      // RFC 7628 §3.2.2: the error as a challenge; 535 follows the client's dummy response.
      this.#oauth.failureDelayMs = options.failureDelayMs ?? this.#options.authFailureDelayMs;
      return this.#pump(now, [send(replies.challenge(OAUTH_ERROR))]);
    } else if (result.kind === "rejected") {
      const ms = options.failureDelayMs ?? this.#options.authFailureDelayMs;
      out.push({ kind: "wait", ms }, send(replies.authFailed));
    } else if (result.kind === "locked-out") {
      out.push(send(replies.lockedOut), this.#close());
    } else {
      out.push(send(replies.authTemporary));
    }
    return this.#pump(now, out);
  }

  /** Answers `check-sender` (asked for authenticated clients only). */
  senderChecked(verdict: SenderCheck, now: number): SessionAction[] {
    this.#settle("sender");
    const out: SessionAction[] = [];
    if (verdict.kind === "accept") {
      this.#sender = this.#pendingSender;
      this.#recipients = [];
      out.push(send(replies.senderOk));
    } else if (verdict.kind === "reject") {
      out.push(send(replies.senderNotOwned(this.#authUser ?? "")));
      this.#countError(out);
    } else {
      out.push(send(replies.senderTemporary));
    }
    return this.#pump(now, out);
  }

  /** Answers `check-recipient`. */
  recipientChecked(verdict: RecipientVerdict, now: number): SessionAction[] {
    this.#settle("recipient");
    const out: SessionAction[] = [];
    switch (verdict.kind) {
      case "accept":
        this.#recipients.push(this.#pendingRecipient);
        out.push(send(replies.recipientOk));
        break;
      case "unknown-user":
        out.push(send(replies.unknownUser));
        this.#countError(out);
        break;
      case "relay-denied":
        out.push(send(replies.relayDenied));
        this.#countError(out);
        break;
      case "temporary-failure":
        out.push(send(replies.recipientTemporary));
        break;
    }
    return this.#pump(now, out);
  }

  /** Answers `message-end`: `250` only now, once the message is durable. */
  messageStored(result: StoreResult, now: number): SessionAction[] {
    this.#settle("message");
    const reply = result.kind === "stored"
      ? replies.queued(Math.floor(now / 1000), result.id)
      : result.storageFull
      ? replies.storageFull
      : replies.notStored;
    this.#resetTransaction();
    return this.#pump(now, [send(reply)]);
  }

  /** The client was silent too long: `421` and close. */
  timedOut(): SessionAction[] {
    return [...this.connectionLost(), send(replies.timeout), this.#close()];
  }

  /** The connection ended or failed: drop any message still being received. */
  connectionLost(): SessionAction[] {
    this.#closed = true;
    if (!this.#data) return [];
    this.#data = undefined;
    return [{ kind: "message-abort" }];
  }

  #settle(expected: Pending): void {
    if (this.#pending !== expected) {
      throw new TypeError(`Cannot answer ${expected}: the session is not waiting for it`);
    }
    this.#pending = undefined;
  }

  #pump(now: number, out: SessionAction[]): SessionAction[] {
    while (!this.#pending && !this.#closed) {
      if (this.#data) {
        if (!this.#readData(now, out)) break;
        continue;
      }
      const line = this.#input.takeLine(this.#sasl ? MAX_SASL_LINE : MAX_COMMAND_LINE);
      if (line === undefined) break;
      this.#progress++;
      if (line === LINE_TOO_LONG) {
        this.#sasl = this.#oauth = undefined;
        out.push(send(replies.lineTooLong));
        this.#countError(out);
      } else if (this.#oauth?.failureDelayMs !== undefined) {
        // Whatever the client answers to the error challenge (an empty line, `AQ==`, `*`).
        out.push({ kind: "wait", ms: this.#oauth.failureDelayMs }, send(replies.authFailed));
        this.#oauth = undefined;
      } else if (this.#sasl) {
        this.#saslStep(this.#sasl.next(line), this.#sasl, out);
      } else {
        const before = out.length;
        this.#command(line, now, out);
        const last = out.at(-1);
        if (out.length > before && last?.kind === "send" && last.text.startsWith("5")) {
          this.#countError(out);
        }
      }
    }
    if (!this.#pending) this.#input.keepOwnCopy();
    return out;
  }

  #command(text: string, now: number, out: SessionAction[]): void {
    const line = text.trimEnd();
    const space = line.indexOf(" ");
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const argument = space < 0 ? "" : line.slice(space + 1).trim();
    const refusal = this.#limits.screen(line, verb);
    if (refusal) return this.#refuse(refusal, out);
    switch (verb) {
      case "HELO":
      case "EHLO":
        return this.#hello(verb === "EHLO", argument, out);
      case "MAIL":
        return this.#mail(argument, out);
      case "RCPT":
        return this.#rcpt(argument, out);
      case "DATA":
        return this.#startData(argument, now, out);
      case "AUTH":
        return this.#auth(argument, now, out);
      case "RSET":
        this.#resetTransaction();
        return void out.push(send(replies.flushed));
      case "NOOP":
        return void out.push(send(replies.ok));
      case "VRFY":
        return void out.push(send(replies.vrfy));
      case "HELP":
        return void out.push(send(replies.help));
      case "STARTTLS":
        return this.#startTls(argument, out);
      case "QUIT":
        out.push(send(replies.quit(this.#options.hostname)), this.#close());
        return;
      default:
        return void out.push(send(replies.unimplemented));
    }
  }

  /** Counts a 5xx reply just sent; too many end the session (Postfix's hard error limit). */
  #countError(out: SessionAction[]): void {
    const refusal = this.#limits.error();
    if (refusal && !this.#closed) this.#refuse(refusal, out);
  }

  #refuse(refusal: Refusal, out: SessionAction[]): void {
    out.push(send(refusal.reply));
    if (refusal.close) out.push(this.#close());
  }

  #hello(esmtp: boolean, argument: string, out: SessionAction[]): void {
    const name = argument.split(" ")[0];
    if (name === "") {
      return void out.push(send(replies.syntax(esmtp ? "EHLO hostname" : "HELO hostname")));
    }
    this.#resetTransaction();
    this.#helo = { name, esmtp };
    if (!esmtp) return void out.push(send(replies.helo(this.#options.hostname)));
    out.push(send(ehloReply({ ...this.#options, startTls: this.#options.startTls ?? false })));
  }

  #mail(argument: string, out: SessionAction[]): void {
    if (!this.#helo) return void out.push(send(replies.heloFirst));
    if (this.#options.requireAuth && this.#authUser === undefined) {
      return void out.push(send(replies.authRequired));
    }
    if (this.#sender !== undefined) return void out.push(send(replies.nestedMail));
    const path = parsePath(argument, "FROM");
    if (!path.ok) return void out.push(send(replies.badSender(path.reason)));
    const parameterError = mailParameterError(path.params, this.#options.maxMessageBytes);
    if (parameterError) return void out.push(send(parameterError));
    if (this.#authUser !== undefined) {
      // Postfix's reject_sender_login_mismatch: may this user send as this address?
      this.#pendingSender = path.address;
      this.#pending = "sender";
      out.push({ kind: "check-sender", sender: path.address, authenticatedUser: this.#authUser });
      return;
    }
    this.#sender = path.address;
    this.#recipients = [];
    out.push(send(replies.senderOk));
  }

  #rcpt(argument: string, out: SessionAction[]): void {
    if (this.#sender === undefined) return void out.push(send(replies.mailFirst));
    // RFC 5321 §4.5.1: <Postmaster> without a domain must be accepted.
    const postmaster = /^TO:\s*<postmaster>$/i.test(argument);
    const path = postmaster ? undefined : parsePath(argument, "TO");
    if (path && !path.ok) return void out.push(send(replies.badRecipient(path.reason)));
    const firstParam = path?.params.keys().next().value;
    if (firstParam !== undefined) return void out.push(send(replies.unknownParameter(firstParam)));
    if (this.#recipients.length >= (this.#options.maxRecipients ?? 100)) {
      return void out.push(send(replies.tooManyRecipients));
    }
    this.#pendingRecipient = path ? path.address : `postmaster@${this.#options.hostname}`;
    this.#pending = "recipient";
    out.push({
      kind: "check-recipient",
      recipient: this.#pendingRecipient,
      ...(this.#authUser === undefined ? {} : { authenticatedUser: this.#authUser }),
    });
  }

  #startData(argument: string, now: number, out: SessionAction[]): void {
    if (argument !== "") return void out.push(send(replies.noArguments("DATA")));
    if (this.#sender === undefined) return void out.push(send(replies.mailFirst));
    if (this.#recipients.length === 0) return void out.push(send(replies.rcptFirst));
    this.#data = new DataReader({ maxBytes: this.#options.maxMessageBytes });
    const header = receivedHeader({
      clientHostname: this.#options.clientHostname,
      helo: this.#helo?.name ?? "",
      clientAddress: this.#options.clientAddress,
      authUser: this.#authUser,
      hostname: this.#options.hostname,
      tls: this.#options.tls,
      protocol: protocolWord({
        esmtp: this.#helo?.esmtp ?? false,
        tls: this.#options.tls !== undefined,
        authenticated: this.#authUser !== undefined,
      }),
      time: now,
    });
    out.push(
      send(replies.goAhead),
      { kind: "message-begin" },
      { kind: "message-data", bytes: encoder.encode(header) },
    );
  }

  /** Returns false when it needs more input. */
  #readData(now: number, out: SessionAction[]): boolean {
    const { bytes, start } = this.#input.peek();
    if (start >= bytes.length) return false;
    const result = this.#data!.feed(bytes, start);
    this.#input.consume(result.consumed);
    this.#progress++;
    for (const chunk of result.chunks) out.push({ kind: "message-data", bytes: chunk });
    if (!result.outcome) return false;
    this.#data = undefined;
    this.#endData(result.outcome, now, out);
    return true;
  }

  #endData(outcome: DataOutcome, now: number, out: SessionAction[]): void {
    if (outcome.kind === "complete") {
      this.#pending = "message";
      const envelope: Envelope = {
        from: this.#sender ?? "",
        to: [...this.#recipients],
        clientAddress: this.#options.clientAddress,
        helo: this.#helo?.name ?? "",
        receivedAt: now,
        ...(this.#authUser === undefined ? {} : { authUser: this.#authUser }),
      };
      return void out.push({ kind: "message-end", envelope });
    }
    out.push({ kind: "message-abort" }, send(DATA_REFUSALS[outcome.kind]));
    this.#resetTransaction();
    if (outcome.kind === "bare-newline") {
      this.#input.clear();
      out.push(this.#close());
    }
  }

  #auth(argument: string, now: number, out: SessionAction[]): void {
    const offered = this.#options.authMechanisms;
    if (offered.length === 0) {
      const refusal = this.#options.authNeedsEncryption
        ? replies.encryptionRequired
        : replies.unimplemented;
      return void out.push(send(refusal));
    }
    if (!this.#helo?.esmtp) return void out.push(send(replies.ehloFirst));
    if (this.#authUser !== undefined) return void out.push(send(replies.authAgain));
    if (this.#sender !== undefined) return void out.push(send(replies.authInTransaction));
    const words = argument.split(" ");
    if (words[0] === "" || words.length > 2) {
      return void out.push(send(replies.syntax("AUTH mechanism [initial-response]")));
    }
    const name = isMechanismName(words[0]);
    if (name === undefined || !offered.includes(name)) {
      return void out.push(send(replies.authUnknownMechanism));
    }
    const { hostname, randomBytes } = this.#options;
    const mechanism = createServerMechanism(name, { hostname, now, randomBytes });
    this.#saslStep(mechanism.start(words[1]), mechanism, out);
  }

  #saslStep(step: SaslStep, mechanism: ServerMechanism, out: SessionAction[]): void {
    this.#sasl = step.kind === "challenge" ? mechanism : undefined;
    switch (step.kind) {
      case "challenge":
        return void out.push(send(replies.challenge(btoa(step.challenge))));
      case "done":
        this.#pending = "credentials";
        this.#oauth = step.credentials.kind === "oauth" ? {} : undefined;
        return void out.push({ kind: "verify-credentials", credentials: step.credentials });
      case "cancelled":
        return void out.push(send(replies.authCancelled));
      case "malformed":
        return void out.push(send(replies.authMalformed));
    }
  }

  /** RFC 3207; pipelined plaintext after STARTTLS is dropped (CVE-2011-0411). */
  #startTls(argument: string, out: SessionAction[]): void {
    if (this.#options.tls) return void out.push(send(replies.tlsActive));
    if (!this.#options.startTls) return void out.push(send(replies.tlsUnavailable));
    if (argument !== "") return void out.push(send(replies.noArguments("STARTTLS")));
    this.#input.clear();
    this.#closed = true;
    out.push(send(replies.tlsReady), { kind: "start-tls" });
  }

  #resetTransaction(): void {
    this.#sender = undefined;
    this.#recipients = [];
  }

  #close(): SessionAction {
    this.#closed = true;
    return { kind: "close" };
  }
}

function send(text: string): SessionAction {
  return { kind: "send", text };
}
