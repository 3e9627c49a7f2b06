/**
 * Encoding a message body for SMTP DATA (RFC 5321 §4.5.2): dot-stuffing and
 * CRLF line ends, streamed chunk by chunk.
 *
 * @module
 */

const CR = 13;
const LF = 10;
const DOT = 46;
const CRLF = new Uint8Array([CR, LF]);
const END_OF_DATA = new Uint8Array([DOT, CR, LF]);

/**
 * Turns message bytes into DATA bytes. A line that starts with `.` gets a
 * second `.`; every line ends in CRLF: a bare LF or a bare CR becomes CRLF,
 * so no server that splits lines differently (the SMTP smuggling class of
 * bugs) can see an end of data inside the body. {@linkcode DotStuffer.end}
 * closes the last line and adds `.` CRLF.
 *
 * Chunks may split anywhere, also between CR and LF.
 *
 * @example
 * ```ts
 * import { DotStuffer } from "@tollgate/tollgate/smtp";
 * const stuffer = new DotStuffer();
 * const text = new TextDecoder();
 * console.log(JSON.stringify(text.decode(stuffer.push(new TextEncoder().encode(".hi\n.")))));
 * // "..hi\r\n.."
 * console.log(JSON.stringify(text.decode(stuffer.end()))); // "\r\n.\r\n"
 * ```
 */
export class DotStuffer {
  #atLineStart = true;
  #pendingCr = false;
  #ended = false;

  /** Encodes the next chunk of the message. The result is a new array. */
  push(chunk: Uint8Array): Uint8Array {
    if (this.#ended) throw new TypeError("Cannot encode more data: the message has ended");
    // At worst every byte doubles (a bare CR or LF becomes CRLF, a leading "." becomes "..").
    const out = new Uint8Array(chunk.length * 2 + 2);
    let length = 0;
    let atLineStart = this.#atLineStart;
    let pendingCr = this.#pendingCr;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (pendingCr) {
        pendingCr = false;
        out[length++] = CR;
        out[length++] = LF;
        atLineStart = true;
        if (byte === LF) continue;
      }
      if (byte === CR) {
        pendingCr = true;
      } else if (byte === LF) {
        out[length++] = CR;
        out[length++] = LF;
        atLineStart = true;
      } else {
        if (atLineStart && byte === DOT) out[length++] = DOT;
        out[length++] = byte;
        atLineStart = false;
      }
    }
    this.#atLineStart = atLineStart;
    this.#pendingCr = pendingCr;
    return out.subarray(0, length);
  }

  /** The bytes that end the message: CRLF if the last line is open, then `.` CRLF. */
  end(): Uint8Array {
    if (this.#ended) throw new TypeError("Cannot end the message: it has already ended");
    this.#ended = true;
    if (this.#atLineStart && !this.#pendingCr) return END_OF_DATA.slice();
    const out = new Uint8Array(CRLF.length + END_OF_DATA.length);
    out.set(CRLF);
    out.set(END_OF_DATA, CRLF.length);
    return out;
  }
}
