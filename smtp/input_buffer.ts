/**
 * The bytes a client has sent that the session has not used yet.
 *
 * @module
 */

const LF = 10;
const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/**
 * A command line was longer than allowed; its bytes were dropped.
 *
 * @example
 * ```ts
 * import { InputBuffer, LINE_TOO_LONG } from "@tollgate/tollgate/smtp";
 * const input = new InputBuffer();
 * input.append(new TextEncoder().encode("NOOP " + "x".repeat(600) + "\r\n"));
 * console.log(input.takeLine(512) === LINE_TOO_LONG); // true
 * ```
 */
export const LINE_TOO_LONG: unique symbol = Symbol("line too long");

/**
 * Accumulates input and hands it out as command lines or raw bytes (DATA).
 * Bytes handed out are never mutated afterwards.
 *
 * @example
 * ```ts
 * import { InputBuffer } from "@tollgate/tollgate/smtp";
 * const input = new InputBuffer();
 * input.append(new TextEncoder().encode("EHLO a\r\nNOOP"));
 * console.log(input.takeLine(512)); // "EHLO a"
 * console.log(input.takeLine(512)); // undefined (no full line yet)
 * ```
 */
export class InputBuffer {
  #bytes: Uint8Array = EMPTY;
  #offset = 0;
  #skippingLongLine = false;

  /** Adds bytes received from the client. */
  append(bytes: Uint8Array): void {
    if (this.#offset >= this.#bytes.length) {
      this.#bytes = bytes;
    } else {
      const joined = new Uint8Array(this.#bytes.length - this.#offset + bytes.length);
      joined.set(this.#bytes.subarray(this.#offset));
      joined.set(bytes, this.#bytes.length - this.#offset);
      this.#bytes = joined;
    }
    this.#offset = 0;
  }

  /** How many unused bytes there are. */
  get length(): number {
    return this.#bytes.length - this.#offset;
  }

  /**
   * The next line without its CRLF (a bare LF also ends a command line), or
   * `undefined` if no full line has arrived, or {@linkcode LINE_TOO_LONG}
   * once the end of a line over `maxLength` octets arrives.
   */
  takeLine(maxLength: number): string | typeof LINE_TOO_LONG | undefined {
    const end = this.#bytes.indexOf(LF, this.#offset);
    if (this.#skippingLongLine) {
      if (end < 0) return this.#dropAll();
      this.#offset = end + 1;
      this.#skippingLongLine = false;
      return LINE_TOO_LONG;
    }
    if (end < 0) {
      if (this.length > maxLength) this.#skippingLongLine = true;
      return this.#skippingLongLine ? this.#dropAll() : undefined;
    }
    if (end - this.#offset > maxLength) {
      this.#offset = end + 1;
      return LINE_TOO_LONG;
    }
    const lineEnd = end > this.#offset && this.#bytes[end - 1] === 13 ? end - 1 : end;
    const line = decoder.decode(this.#bytes.subarray(this.#offset, lineEnd));
    this.#offset = end + 1;
    return line;
  }

  /** The unused bytes and where they start, for the DATA reader. */
  peek(): { bytes: Uint8Array; start: number } {
    return { bytes: this.#bytes, start: this.#offset };
  }

  /** Marks `count` bytes from {@linkcode InputBuffer.peek} as used. */
  consume(count: number): void {
    this.#offset += count;
  }

  /**
   * Copies what is left (a partial line at most) out of the appended bytes,
   * so whoever appended them may reuse their buffer.
   */
  keepOwnCopy(): void {
    this.#bytes = this.#offset < this.#bytes.length ? this.#bytes.slice(this.#offset) : EMPTY;
    this.#offset = 0;
  }

  /** Drops every unused byte (used when the connection is about to close). */
  clear(): void {
    this.#dropAll();
  }

  #dropAll(): undefined {
    this.#bytes = EMPTY;
    this.#offset = 0;
    return undefined;
  }
}
