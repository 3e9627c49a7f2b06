/**
 * DKIM's `relaxed` canonicalisation (RFC 6376 §3.4.2, §3.4.4) over bytes:
 * header fields as "binary strings" (one char per byte, so 8-bit headers
 * survive), and the body hashed as it streams by, line by line.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";

/**
 * One header field as stored: its name and the whole field, folding kept, without the final CRLF.
 *
 * @example
 * ```ts
 * import type { HeaderField } from "@tollgate/tollgate/delivery";
 * const field: HeaderField = { name: "Subject", raw: "Subject: hello\r\n there" };
 * console.log(field.name); // "Subject"
 * ```
 */
export interface HeaderField {
  /** The field name as written. */
  name: string;
  /** `Name: value` with any folding, one char per byte. */
  raw: string;
}

/**
 * Bytes to a string with one char per byte (Latin-1), so canonicalisation never decodes.
 *
 * @example
 * ```ts
 * import { bytesToBinary } from "@tollgate/tollgate/delivery";
 * console.log(bytesToBinary(new Uint8Array([0x48, 0xe9]))); // "H\u00e9"
 * ```
 */
export function bytesToBinary(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

/**
 * The reverse of {@linkcode bytesToBinary}.
 *
 * @example
 * ```ts
 * import { binaryToBytes } from "@tollgate/tollgate/delivery";
 * console.log(binaryToBytes("H\u00e9")); // Uint8Array(2) [ 72, 233 ]
 * ```
 */
export function binaryToBytes(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Splits a header section (CRLF lines, without the empty line) into fields.
 *
 * @example
 * ```ts
 * import { parseHeaderFields } from "@tollgate/tollgate/delivery";
 * const fields = parseHeaderFields("Subject: a\r\n long\r\nTo: b@example.org\r\n");
 * console.log(fields.map((field) => field.name)); // ["Subject", "To"]
 * ```
 */
export function parseHeaderFields(section: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of section.split("\r\n")) {
    if (line === "") continue;
    const last = fields.at(-1);
    if ((line[0] === " " || line[0] === "\t") && last) {
      last.raw += `\r\n${line}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue; // not a field: no verifier can sign it either
    fields.push({ name: line.slice(0, colon).replace(/[ \t]+$/, ""), raw: line });
  }
  return fields;
}

/**
 * One field in `relaxed` form: lower-case name, unfolded, runs of white space
 * as one space, none around the colon or at the end; with a CRLF.
 *
 * @example
 * ```ts
 * import { relaxedHeader } from "@tollgate/tollgate/delivery";
 * console.log(JSON.stringify(relaxedHeader("SubJect :  a \r\n\t b  "))); // "subject:a b\r\n"
 * ```
 */
export function relaxedHeader(raw: string): string {
  const colon = raw.indexOf(":");
  const name = raw.slice(0, colon).replace(/[ \t]+$/, "").toLowerCase();
  const value = raw.slice(colon + 1).replace(/\r\n/g, "").replace(/[ \t]+/g, " ").trim();
  return `${name}:${value}\r\n`;
}

const CR = 13;
const LF = 10;
const SP = 32;
const TAB = 9;
const CRLF = new Uint8Array([CR, LF]);

/**
 * The SHA-256 of a body in `relaxed` form, fed in chunks of any size: white
 * space runs become one space, white space at line ends goes, empty lines at
 * the end go, and a non-empty body ends with CRLF.
 *
 * @example
 * ```ts
 * import { RelaxedBodyHash } from "@tollgate/tollgate/delivery";
 * const hash = new RelaxedBodyHash();
 * hash.update(new TextEncoder().encode("Hi  there \r\n\r\n"));
 * console.log(hash.digest().length); // 32
 * ```
 */
export class RelaxedBodyHash {
  #hash = sha256.create();
  #carry = new Uint8Array(0);
  #emptyLines = 0;

  /** Feeds the next piece of the body. */
  update(chunk: Uint8Array): void {
    const bytes = this.#carry.length === 0 ? chunk : concat(this.#carry, chunk);
    let start = 0;
    for (let i = 0; i + 1 < bytes.length; i++) {
      if (bytes[i] === CR && bytes[i + 1] === LF) {
        this.#line(bytes.subarray(start, i));
        start = i + 2;
        i++;
      }
    }
    this.#carry = bytes.slice(start);
  }

  /** The hash of everything fed (a last line without CRLF gets one). */
  digest(): Uint8Array {
    if (this.#carry.length > 0) this.#line(this.#carry);
    this.#carry = new Uint8Array(0);
    return this.#hash.digest();
  }

  #line(line: Uint8Array): void {
    const out: number[] = [];
    let space = false;
    for (const byte of line) {
      if (byte === SP || byte === TAB) {
        space = true;
        continue;
      }
      if (space) out.push(SP);
      space = false;
      out.push(byte);
    }
    if (out.length === 0) return void this.#emptyLines++;
    for (; this.#emptyLines > 0; this.#emptyLines--) this.#hash.update(CRLF);
    this.#hash.update(Uint8Array.from(out));
    this.#hash.update(CRLF);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
