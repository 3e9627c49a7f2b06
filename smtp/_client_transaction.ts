/**
 * One mail transaction of the client session: the replies to MAIL and each
 * RCPT, and the per-recipient outcomes they lead to.
 *
 * @module
 */
import type { ServerCapabilities } from "./client_capabilities.ts";
import type {
  ClientAction,
  ClientMessage,
  ClientTimeouts,
  Expectation,
  RecipientOutcome,
} from "./client_types.ts";
import { replyText, type SmtpReply } from "./reply_reader.ts";

/** A command not sent yet, with the expectation for its reply. */
export type Command = Expectation & { line: string };

/** What the commands of a transaction depend on. */
export interface CommandOptions {
  capabilities: ServerCapabilities;
  timeouts: ClientTimeouts;
  /** Send RSET first: the previous transaction was left open. */
  reset: boolean;
  onRset(reply: SmtpReply, out: ClientAction[]): void;
  onData(reply: SmtpReply, out: ClientAction[]): void;
}

// deno-lint-ignore no-control-regex -- control characters are exactly what is refused
const FORBIDDEN_IN_ADDRESS = /[\x00-\x1f\x7f<>]/;

/** The status a final reply gives: 2xx delivered, 5xx permanent, anything else temporary. */
export function statusOf(reply: SmtpReply): RecipientOutcome["status"] {
  if (reply.code >= 200 && reply.code < 300) return "delivered";
  return reply.code >= 500 && reply.code < 600 ? "permanent" : "temporary";
}

/** The replies of one transaction so far. */
export class ClientTransaction {
  readonly message: ClientMessage;
  #mail: SmtpReply | undefined;
  readonly #recipients: (SmtpReply | undefined)[];

  /** @throws {TypeError} For no recipients, or an address that cannot go into a command. */
  constructor(message: ClientMessage) {
    if (message.to.length === 0) {
      throw new TypeError("Cannot send a message: it has no recipients");
    }
    for (const address of [message.from, ...message.to]) {
      if (FORBIDDEN_IN_ADDRESS.test(address)) {
        throw new TypeError(`Cannot send to or from ${JSON.stringify(address)}: not an address`);
      }
    }
    this.message = message;
    this.#recipients = message.to.map(() => undefined);
  }

  /** RSET if asked, MAIL (with SIZE= and BODY= where offered), one RCPT per recipient, DATA. */
  commands(options: CommandOptions): Command[] {
    const { capabilities: caps, timeouts } = options;
    const commands: Command[] = [];
    if (options.reset) {
      commands.push({
        line: "RSET",
        command: "RSET",
        timeout: timeouts.command,
        onReply: options.onRset,
      });
    }
    const params = (caps.size !== undefined ? ` SIZE=${this.message.size}` : "") +
      (caps.eightBitMime ? " BODY=8BITMIME" : "");
    commands.push({
      line: `MAIL FROM:<${this.message.from}>${params}`,
      command: "MAIL FROM",
      timeout: timeouts.mail,
      onReply: (reply) => this.mailReplied(reply),
    });
    this.message.to.forEach((address, index) =>
      commands.push({
        line: `RCPT TO:<${address}>`,
        command: "RCPT TO",
        timeout: timeouts.rcpt,
        onReply: (reply) => this.recipientReplied(index, reply),
      })
    );
    commands.push({
      line: "DATA",
      command: "DATA",
      timeout: timeouts.dataInit,
      onReply: options.onData,
    });
    return commands;
  }

  /** Records the reply to MAIL. */
  mailReplied(reply: SmtpReply): void {
    this.#mail = reply;
  }

  /** Records the reply to the RCPT of recipient `index`. */
  recipientReplied(index: number, reply: SmtpReply): void {
    this.#recipients[index] = reply;
  }

  /** Whether MAIL got a reply other than 2xx. */
  get mailRefused(): boolean {
    return this.#mail !== undefined && statusOf(this.#mail) !== "delivered";
  }

  /** How many recipients the server accepted (MAIL accepted too). */
  get acceptedCount(): number {
    if (this.mailRefused) return 0;
    return this.#recipients.filter((reply) => reply && statusOf(reply) === "delivered").length;
  }

  /** Every recipient's outcome, given the reply that decides the accepted ones. */
  outcomes(final: SmtpReply): RecipientOutcome[] {
    return this.#outcomes((address) => ({
      address,
      status: statusOf(final),
      reply: replyText(final),
    }));
  }

  /** Every recipient's outcome when none was accepted: each has its refusal. */
  refusals(): RecipientOutcome[] {
    return this.failedOutcomes("no reply to RCPT TO");
  }

  /**
   * Every recipient's outcome when the connection failed: a refusal already
   * received stands, everyone else is temporary with `reason`.
   */
  failedOutcomes(reason: string): RecipientOutcome[] {
    return this.#outcomes((address) => ({ address, status: "temporary", reply: reason }));
  }

  /** Every recipient refused outright (the message is over before DATA). */
  refusedOutcomes(status: RecipientOutcome["status"], reply: string): RecipientOutcome[] {
    return this.message.to.map((address) => ({ address, status, reply }));
  }

  #outcomes(undecided: (address: string) => RecipientOutcome): RecipientOutcome[] {
    return this.message.to.map((address, index) => {
      const refusal = this.mailRefused ? this.#mail : this.#recipients[index];
      if (refusal && statusOf(refusal) !== "delivered") {
        return { address, status: statusOf(refusal), reply: replyText(refusal) };
      }
      return undecided(address);
    });
  }
}
