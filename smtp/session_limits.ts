/**
 * The limits a server session keeps against abusive clients: lines that are
 * not SMTP at all, too many errors, too many commands that do nothing.
 *
 * @module
 */
import { replies } from "./replies.ts";

/** Commands that move a session on; a flood of any other (NOOP, RSET, VRFY, unknown) is junk. */
const WORK_COMMANDS = new Set(["HELO", "EHLO", "MAIL", "RCPT", "DATA", "AUTH", "STARTTLS", "QUIT"]);
/** `GET / HTTP/1.1` and friends: a web client or proxy probe on the SMTP port. */
const HTTP_REQUEST = /^(GET|POST|HEAD|PUT|DELETE|OPTIONS|CONNECT|PATCH) \S+ HTTP\/\d/i;
/** Without SMTPUTF8, a command is printable ASCII (and TAB); NUL, CR and 8-bit are refused. */
const PRINTABLE_ASCII = /^[\t\x20-\x7e]*$/;

/**
 * A refusal: the reply, and whether the session ends with it.
 *
 * @example
 * ```ts
 * import type { Refusal } from "@tollgate/tollgate/smtp";
 * const refusal: Refusal = { reply: "421 4.7.0 too many errors\r\n", close: true };
 * console.log(refusal.close); // true
 * ```
 */
export interface Refusal {
  /** The reply line(s), CRLF-terminated. */
  reply: string;
  /** Whether the session closes the connection after sending `reply`. */
  close: boolean;
}

/**
 * Counts one session's errors and junk commands (Postfix's hard error and
 * junk command limits) and screens command lines before they are run.
 *
 * @example
 * ```ts
 * import { SessionLimits } from "@tollgate/tollgate/smtp";
 * const limits = new SessionLimits({ maxErrors: 20, maxJunkCommands: 100 });
 * console.log(limits.screen("GET / HTTP/1.1", "GET")?.close); // true
 * console.log(limits.screen("NOOP", "NOOP")); // undefined
 * ```
 */
export class SessionLimits {
  #errors = 0;
  #junkCommands = 0;
  readonly #maxErrors: number;
  readonly #maxJunkCommands: number;

  /** Limits for one session. */
  constructor(limits: { maxErrors: number; maxJunkCommands: number }) {
    this.#maxErrors = limits.maxErrors;
    this.#maxJunkCommands = limits.maxJunkCommands;
  }

  /** The refusal of a command line before it runs, or undefined to run it. */
  screen(line: string, verb: string): Refusal | undefined {
    // Postfix does the same: a browser or proxy probe gets no second line.
    if (HTTP_REQUEST.test(line)) return { reply: replies.httpRequest, close: true };
    if (!PRINTABLE_ASCII.test(line)) return { reply: replies.badCharacters, close: false };
    if (!WORK_COMMANDS.has(verb) && ++this.#junkCommands > this.#maxJunkCommands) {
      return { reply: replies.tooManyCommands, close: true };
    }
    return undefined;
  }

  /** Counts a 5xx reply just sent; returns the closing `421` once there were too many. */
  error(): Refusal | undefined {
    return ++this.#errors === this.#maxErrors
      ? { reply: replies.tooManyErrors, close: true }
      : undefined;
  }
}
