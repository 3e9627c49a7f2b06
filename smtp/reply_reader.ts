/**
 * Reading SMTP replies on the client side (RFC 5321 §4.2): a code, then
 * `-` on every line but the last, then text.
 *
 * @module
 */
import { InputBuffer, LINE_TOO_LONG } from "./input_buffer.ts";

/**
 * One complete reply from a server.
 *
 * @example
 * ```ts
 * import { replyText, type SmtpReply } from "@tollgate/tollgate/smtp";
 * const reply: SmtpReply = { code: 250, lines: ["2.0.0 ok"] };
 * console.log(replyText(reply)); // "250 2.0.0 ok"
 * ```
 */
export interface SmtpReply {
  /** The three-digit code, e.g. `250`. */
  code: number;
  /** The text of each line after the code and its separator (`""` for a bare code). */
  lines: string[];
}

/**
 * What {@linkcode ReplyReader.next} found.
 *
 * @example
 * ```ts
 * import { type ReplyRead, ReplyReader } from "@tollgate/tollgate/smtp";
 * const reader = new ReplyReader();
 * reader.append(new TextEncoder().encode("220 ready"));
 * const read: ReplyRead = reader.next();
 * console.log(read.kind); // "need-data" (no CRLF yet)
 * ```
 */
export type ReplyRead =
  | { kind: "reply"; reply: SmtpReply }
  | { kind: "need-data" }
  | { kind: "malformed"; /** Why, with the offending line shortened. */ reason: string };

/** RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; servers exceed it, so allow more. */
const MAX_REPLY_LINE = 4096;
/** No reply in practice has more lines (an EHLO reply has a few dozen at most). */
const MAX_REPLY_LINES = 200;
// deno-lint-ignore no-control-regex -- control characters are exactly what is masked
const CONTROL = /[\x00-\x1f\x7f]/g;
const REPLY_LINE = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s;

/**
 * Accumulates bytes from a server and hands out whole replies.
 *
 * @example
 * ```ts
 * import { ReplyReader } from "@tollgate/tollgate/smtp";
 * const reader = new ReplyReader();
 * reader.append(new TextEncoder().encode("250-relay.test\r\n250 PIPELINING\r\n"));
 * console.log(reader.next());
 * // { kind: "reply", reply: { code: 250, lines: ["relay.test", "PIPELINING"] } }
 * console.log(reader.next()); // { kind: "need-data" }
 * ```
 */
export class ReplyReader {
  readonly #input = new InputBuffer();
  #lines: string[] = [];
  #code: number | undefined;

  /** Adds bytes received from the server. Keeps a view of `bytes`: do not reuse the buffer. */
  append(bytes: Uint8Array): void {
    this.#input.append(bytes);
  }

  /** Whether bytes of an unfinished reply are waiting. */
  get pending(): boolean {
    return this.#input.length > 0 || this.#lines.length > 0;
  }

  /** Drops everything received so far (plain text after `220` to STARTTLS). */
  clear(): void {
    this.#input.clear();
    this.#lines = [];
    this.#code = undefined;
  }

  /** The next complete reply, if one has arrived. */
  next(): ReplyRead {
    for (;;) {
      const line = this.#input.takeLine(MAX_REPLY_LINE);
      if (line === undefined) return { kind: "need-data" };
      if (line === LINE_TOO_LONG) {
        return { kind: "malformed", reason: `reply line longer than ${MAX_REPLY_LINE} octets` };
      }
      const match = REPLY_LINE.exec(line);
      if (match === null) return { kind: "malformed", reason: `malformed reply ${quote(line)}` };
      const code = Number(match[1]);
      if (this.#code !== undefined && code !== this.#code) {
        return { kind: "malformed", reason: `reply code changed within a reply: ${quote(line)}` };
      }
      this.#code = code;
      this.#lines.push(match[3] ?? "");
      if (match[2] !== "-") {
        const reply = { code, lines: this.#lines };
        this.#lines = [];
        this.#code = undefined;
        return { kind: "reply", reply };
      }
      if (this.#lines.length >= MAX_REPLY_LINES) {
        return { kind: "malformed", reason: `reply of more than ${MAX_REPLY_LINES} lines` };
      }
    }
  }
}

/**
 * A reply as one line of text for logs and delivery reports: the code, then
 * each line's text, separated by spaces; control characters become `?`.
 *
 * @example
 * ```ts
 * import { replyText } from "@tollgate/tollgate/smtp";
 * console.log(replyText({ code: 550, lines: ["5.1.1 no such user", "5.1.1 try again"] }));
 * // "550 5.1.1 no such user 5.1.1 try again"
 * ```
 */
export function replyText(reply: SmtpReply): string {
  const text = reply.lines.filter((line) => line !== "").join(" ").replace(CONTROL, "?");
  return text === "" ? String(reply.code) : `${reply.code} ${text}`;
}

function quote(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line);
}
