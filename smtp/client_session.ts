/**
 * The SMTP client session: the one place where the client's protocol states
 * live. A pure state machine in the style of h11 and Go's `net/smtp`: the
 * adapter feeds it the server's bytes and the current time, and it returns
 * {@linkcode ClientAction}s — bytes to send, "upgrade to TLS now", "send the
 * body", a message's per-recipient outcomes, "close". It never awaits, reads a
 * clock or touches a socket.
 *
 * The states, in order:
 * ```
 * greeting → EHLO (→ HELO if refused) → [STARTTLS → handshake → EHLO] → [AUTH]
 *   → ready ⇄ transaction (RSET?, MAIL, RCPT…, DATA → body → final reply) → QUIT → closed
 * ```
 * Every reply is matched to the command it answers through a queue of
 * expectations, so pipelined commands (RFC 2920) need no special case.
 * Any failure ends the session: outcomes already known stand, every other
 * recipient is temporary with the reason, and nothing ever throws at a
 * misbehaving server (a `TypeError` means the adapter misused the API).
 *
 * @module
 */
import { assertUsableCredentials } from "../auth/sasl_client.ts";
import { ClientTransaction, type Command } from "./_client_transaction.ts";
import { Negotiation } from "./_client_negotiation.ts";
import { NO_CAPABILITIES, type ServerCapabilities } from "./client_capabilities.ts";
import { DotStuffer } from "./dot_stuffer.ts";
import { ReplyReader, replyText, type SmtpReply } from "./reply_reader.ts";
import {
  type ClientAction,
  type ClientMessage,
  type ClientSessionOptions,
  type ClientTimeouts,
  DEFAULT_CLIENT_TIMEOUTS,
  type Expectation,
  type RecipientOutcome,
} from "./client_types.ts";

type Phase =
  | "greeting"
  | "negotiating"
  | "handshake"
  | "ready"
  | "transaction"
  | "body"
  | "quitting"
  | "closed";

const encoder = new TextEncoder();

/**
 * One outbound SMTP connection's protocol state.
 *
 * @example
 * ```ts
 * import { ClientSession } from "@tollgate/tollgate/smtp";
 * const session = new ClientSession({ ehloName: "tollgate.test", tls: "none", peerIsLoopback: true });
 * session.start(0);
 * const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
 * const actions = session.receive(new TextEncoder().encode("220 relay.test ESMTP\r\n"), 0);
 * const sent = actions.flatMap((action) => action.kind === "send" ? [text(action.bytes)] : []);
 * console.log(sent); // ["EHLO tollgate.test\r\n"]
 * ```
 */
export class ClientSession {
  readonly #timeouts: ClientTimeouts;
  readonly #reader = new ReplyReader();
  readonly #negotiation: Negotiation;
  #expectations: Expectation[] = [];
  #waiting: Command[] = [];
  #phase: Phase = "greeting";
  #lastActivity = 0;
  #transaction: ClientTransaction | undefined;
  #stuffer: DotStuffer | undefined;
  #needsReset = false;

  /**
   * A session for one new connection; call {@linkcode ClientSession.start} once connected.
   *
   * @throws {TypeError} For unusable credentials, or `skipStartTls` outside `opportunistic`.
   */
  constructor(options: ClientSessionOptions) {
    if (options.auth) assertUsableCredentials(options.auth);
    if (options.skipStartTls && options.tls !== "opportunistic") {
      throw new TypeError(`Cannot skip STARTTLS with TLS mode "${options.tls}"`);
    }
    this.#timeouts = { ...DEFAULT_CLIENT_TIMEOUTS, ...options.timeouts };
    this.#negotiation = new Negotiation(options, this.#timeouts, {
      send: (line, out) => this.#sendLine(line, out),
      expect: (expectation) => this.#expectations.push(expectation),
      handshake: (out) => {
        this.#reader.clear(); // plain text after "220" to STARTTLS is never trusted
        this.#phase = "handshake";
        out.push({ kind: "start-tls" });
      },
      ready: (out) => this.#becomeReady(out),
      fail: (reason, out) => this.#fail(reason, out, { quit: true }),
    });
  }

  /** Whether the session has asked to close. */
  get closed(): boolean {
    return this.#phase === "closed";
  }

  /** What the server offered in its last EHLO reply (after STARTTLS: the encrypted one). */
  get capabilities(): ServerCapabilities {
    return this.#negotiation.capabilities ?? NO_CAPABILITIES;
  }

  /**
   * When the adapter must call {@linkcode ClientSession.timedOut} unless
   * something happens first (same clock as the `now` arguments); `undefined`
   * while the session waits for nothing.
   */
  get deadline(): number | undefined {
    if (this.#phase === "closed" || this.#phase === "ready") return undefined;
    if (this.#phase === "body") return this.#lastActivity + this.#timeouts.dataBlock;
    if (this.#phase === "handshake") return this.#lastActivity + this.#timeouts.command;
    const first = this.#expectations[0];
    return first ? this.#lastActivity + first.timeout : undefined;
  }

  /** Begins: waits for the greeting. Call once, right after connecting (and TLS for `implicit`). */
  start(now: number): ClientAction[] {
    this.#lastActivity = now;
    this.#expectations.push(this.#negotiation.greeting());
    return [];
  }

  /** Feeds bytes from the server. Keeps a view of `bytes`: pass a buffer that is not reused. */
  receive(bytes: Uint8Array, now: number): ClientAction[] {
    if (this.#phase === "closed" || this.#phase === "handshake") return [];
    this.#lastActivity = now;
    this.#reader.append(bytes);
    const out: ClientAction[] = [];
    while (this.#reading()) {
      const read = this.#reader.next();
      if (read.kind === "need-data") break;
      if (read.kind === "malformed") {
        this.#fail(`protocol error: ${read.reason}`, out, { quit: false });
        break;
      }
      const expectation = this.#expectations.shift();
      if (expectation === undefined) {
        this.#fail(`protocol error: unexpected reply ${replyText(read.reply)}`, out, {
          quit: false,
        });
      } else if (read.reply.code === 421 && this.#phase !== "quitting") {
        this.#fail(`the relay is closing the connection: ${replyText(read.reply)}`, out, {
          quit: false,
        });
      } else {
        expectation.onReply(read.reply, out);
        this.#sendWaiting(out);
      }
    }
    return out;
  }

  /** The TLS handshake that `start-tls` asked for succeeded: greets again over TLS. */
  tlsStarted(now: number): ClientAction[] {
    this.#assertPhase("handshake", "tlsStarted");
    this.#lastActivity = now;
    this.#phase = "negotiating";
    const out: ClientAction[] = [];
    this.#negotiation.tlsStarted(out);
    return out;
  }

  /** The TLS handshake failed; the connection is unusable. */
  tlsFailed(reason: string, now: number): ClientAction[] {
    this.#assertPhase("handshake", "tlsFailed");
    this.#lastActivity = now;
    const out: ClientAction[] = [];
    this.#fail(`TLS handshake failed: ${reason}`, out, { quit: false });
    return out;
  }

  /** Sends one message's envelope and DATA; only after a `ready` action. */
  send(message: ClientMessage, now: number): ClientAction[] {
    this.#assertPhase("ready", "send a message");
    const transaction = new ClientTransaction(message);
    this.#lastActivity = now;
    const out: ClientAction[] = [];
    const limit = this.capabilities.size;
    if (limit !== undefined && limit > 0 && message.size > limit) {
      const reply = `552 5.3.4 message of ${message.size} bytes exceeds the relay's SIZE ` +
        `limit of ${limit} bytes`;
      out.push({ kind: "message-done", outcomes: transaction.refusedOutcomes("permanent", reply) });
      this.#becomeReady(out);
      return out;
    }
    this.#transaction = transaction;
    this.#phase = "transaction";
    this.#waiting = transaction.commands({
      capabilities: this.capabilities,
      timeouts: this.#timeouts,
      reset: this.#needsReset,
      onRset: (reply, out) => {
        if (reply.code !== 250) {
          this.#fail(`RSET refused: ${replyText(reply)}`, out, { quit: true });
        }
      },
      onData: (reply, out) => this.#dataReplied(reply, out),
    });
    this.#needsReset = false;
    this.#sendWaiting(out);
    return out;
  }

  /** One chunk of the message body, after `send-body`. */
  bodyData(chunk: Uint8Array, now: number): ClientAction[] {
    this.#assertPhase("body", "send body data");
    this.#lastActivity = now;
    const bytes = this.#stuffer!.push(chunk);
    return bytes.length === 0 ? [] : [{ kind: "send", bytes }];
  }

  /** The body is complete: sends the final `.` and waits for the reply. */
  bodyEnd(now: number): ClientAction[] {
    this.#assertPhase("body", "end the body");
    this.#lastActivity = now;
    const bytes = this.#stuffer!.end();
    this.#stuffer = undefined;
    this.#phase = "transaction";
    this.#expectations.push({
      command: "end of data",
      timeout: this.#timeouts.dataTermination,
      onReply: (reply, out) => this.#finish(this.#transaction!.outcomes(reply), out),
    });
    return [{ kind: "send", bytes }];
  }

  /** Ends the session politely; only after a `ready` action. */
  quit(now: number): ClientAction[] {
    this.#assertPhase("ready", "quit");
    this.#lastActivity = now;
    const out: ClientAction[] = [];
    this.#sendQuit(out);
    return out;
  }

  /** The deadline passed: fails and closes. Does nothing before the deadline. */
  timedOut(now: number): ClientAction[] {
    const deadline = this.deadline;
    if (deadline === undefined || now < deadline) return [];
    const out: ClientAction[] = [];
    if (this.#phase === "quitting") {
      this.#close(out);
      return out;
    }
    const what = this.#phase === "body"
      ? "sending message data"
      : this.#phase === "handshake"
      ? "in the TLS handshake"
      : `waiting for the reply to ${this.#expectations[0].command}`;
    this.#fail(`timed out after ${(now - this.#lastActivity) / 1000} s ${what}`, out, {
      quit: false,
    });
    return out;
  }

  /** The connection ended or failed (or the body could not be read): fails and closes. */
  connectionLost(reason: string, now: number): ClientAction[] {
    if (this.#phase === "closed") return [];
    this.#lastActivity = now;
    const out: ClientAction[] = [];
    if (this.#phase === "quitting") this.#close(out);
    else this.#fail(reason, out, { quit: false });
    return out;
  }

  /** Sends queued transaction commands: all at once with PIPELINING, else one per reply. */
  #sendWaiting(out: ClientAction[]): void {
    const transaction = this.#transaction;
    while (this.#waiting.length > 0 && this.#phase === "transaction" && transaction) {
      const pipelining = this.capabilities.pipelining;
      if (!pipelining && this.#expectations.length > 0) return;
      const next = this.#waiting[0];
      if (
        !pipelining && (transaction.mailRefused || (next.command === "DATA" &&
          transaction.acceptedCount === 0))
      ) {
        // Without pipelining nothing more is sent once the outcome is clear.
        this.#waiting = [];
        this.#needsReset = !transaction.mailRefused;
        this.#finish(transaction.refusals(), out);
        return;
      }
      this.#waiting.shift();
      this.#sendLine(next.line, out);
      this.#expectations.push(next);
    }
  }

  #dataReplied(reply: SmtpReply, out: ClientAction[]): void {
    const transaction = this.#transaction!;
    if (reply.code !== 354) {
      this.#needsReset = true;
      this.#finish(transaction.outcomes(reply), out);
    } else if (transaction.acceptedCount === 0) {
      // RFC 2920 §3.1: DATA accepted with no recipient; end it empty and ignore the result.
      out.push({ kind: "send", bytes: new DotStuffer().end() });
      this.#expectations.push({
        command: "end of data",
        timeout: this.#timeouts.dataTermination,
        onReply: (_reply, out) => {
          this.#needsReset = true;
          this.#finish(transaction.refusals(), out);
        },
      });
    } else {
      this.#phase = "body";
      this.#stuffer = new DotStuffer();
      out.push({ kind: "send-body" });
    }
  }

  #finish(outcomes: RecipientOutcome[], out: ClientAction[]): void {
    this.#transaction = undefined;
    out.push({ kind: "message-done", outcomes });
    this.#becomeReady(out);
  }

  #becomeReady(out: ClientAction[]): void {
    this.#phase = "ready";
    out.push({ kind: "ready" });
  }

  #fail(reason: string, out: ClientAction[], options: { quit: boolean }): void {
    if (this.#transaction) {
      out.push({ kind: "message-done", outcomes: this.#transaction.failedOutcomes(reason) });
      this.#transaction = undefined;
    }
    out.push({ kind: "failed", reason });
    this.#expectations = [];
    this.#waiting = [];
    if (options.quit) this.#sendQuit(out);
    else this.#close(out);
  }

  #sendQuit(out: ClientAction[]): void {
    this.#phase = "quitting";
    this.#sendLine("QUIT", out);
    this.#expectations.push({
      command: "QUIT",
      timeout: this.#timeouts.command,
      onReply: (_reply, out) => this.#close(out),
    });
  }

  #close(out: ClientAction[]): void {
    this.#phase = "closed";
    this.#expectations = [];
    this.#waiting = [];
    out.push({ kind: "close" });
  }

  #sendLine(line: string, out: ClientAction[]): void {
    out.push({ kind: "send", bytes: encoder.encode(`${line}\r\n`) });
  }

  /** Whether received replies are read now (not while closed or in the TLS handshake). */
  #reading(): boolean {
    return this.#phase !== "closed" && this.#phase !== "handshake";
  }

  #assertPhase(phase: Phase, what: string): void {
    if (this.#phase !== phase) {
      throw new TypeError(`Cannot ${what}: the session is ${this.#phase}, not ${phase}`);
    }
  }
}
