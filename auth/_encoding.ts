/**
 * Base64 and hex for `auth/`, in one place, through `@scure/base` (audited, no
 * dependencies, by the author of the `@noble/hashes` we already use). Node.js
 * 20–24 lack the ES2026 `Uint8Array` methods (`fromBase64`, `toBase64`,
 * `fromHex`, `toHex`); `@scure/base` uses them where they exist and its own
 * code elsewhere.
 *
 * Decoding is canonical: the standard alphabet, padding as asked, and no
 * non-zero bits left over, so every byte string has exactly one spelling.
 *
 * @module
 */
import { base64, base64nopad, hex } from "@scure/base";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UNPADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2,3})?$/;
/** The spare low bits of the last character, by the count of characters in the last group. */
const SPARE_BITS = [0, 0, 0x0f, 0x03];

/** Whether base64 is padded (`=`) or not (the PHC string format). */
export type Base64Padding = "padded" | "unpadded";

/**
 * Decodes canonical standard base64; `undefined` for anything else.
 *
 * @example
 * ```ts
 * import { decodeCanonicalBase64 } from "./_encoding.ts";
 * console.log(decodeCanonicalBase64("dGVzdA==", "padded")); // Uint8Array(4) [ 116, 101, 115, 116 ]
 * console.log(decodeCanonicalBase64("dGVzdB==", "padded")); // undefined (bits left over)
 * ```
 */
export function decodeCanonicalBase64(
  text: string,
  padding: Base64Padding,
): Uint8Array | undefined {
  const padded = padding === "padded";
  if (!(padded ? PADDED : UNPADDED).test(text) || !spareBitsClear(text)) return undefined;
  return (padded ? base64 : base64nopad).decode(text);
}

/**
 * Encodes bytes as standard base64.
 *
 * @example
 * ```ts
 * import { encodeBase64Bytes } from "./_encoding.ts";
 * console.log(encodeBase64Bytes(new Uint8Array([0xfb, 0xff]), "padded")); // "+/8="
 * console.log(encodeBase64Bytes(new Uint8Array([0xfb, 0xff]), "unpadded")); // "+/8"
 * ```
 */
export function encodeBase64Bytes(bytes: Uint8Array, padding: Base64Padding): string {
  return (padding === "padded" ? base64 : base64nopad).encode(bytes);
}

/**
 * Encodes bytes as lower-case hex.
 *
 * @example
 * ```ts
 * import { encodeHex } from "./_encoding.ts";
 * console.log(encodeHex(new Uint8Array([0xff, 1]))); // "ff01"
 * ```
 */
export function encodeHex(bytes: Uint8Array): string {
  return hex.encode(bytes);
}

/**
 * Decodes hex; throws a `SyntaxError` or `Error` if `text` is not hex.
 *
 * @example
 * ```ts
 * import { decodeHex } from "./_encoding.ts";
 * console.log(decodeHex("ff01")); // Uint8Array(2) [ 255, 1 ]
 * ```
 */
export function decodeHex(text: string): Uint8Array {
  return hex.decode(text);
}

function spareBitsClear(text: string): boolean {
  const data = text.replace(/=+$/, "");
  const spare = SPARE_BITS[data.length % 4];
  return (ALPHABET.indexOf(data.charAt(data.length - 1)) & spare) === 0;
}
