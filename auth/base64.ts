/**
 * Strict base64 (RFC 4648 §4) for SASL lines: the standard alphabet, padding
 * required, no whitespace, no bits left over. Anything else is `undefined`,
 * which the mechanisms answer with `501 malformed auth input`.
 *
 * Built on `./_encoding.ts`, which runs on ES2023 runtimes (Node.js 20 has no
 * `Uint8Array.fromBase64`); only malformed input gives `undefined`.
 *
 * @module
 */

import { decodeCanonicalBase64, encodeBase64Bytes } from "./_encoding.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();

/**
 * Decodes strict base64 to bytes; `undefined` if the text is not strict base64.
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "@tollgate/tollgate/auth";
 * console.log(decodeBase64("dGVzdA==")); // Uint8Array(4) [ 116, 101, 115, 116 ]
 * console.log(decodeBase64("dGVzdA")); // undefined (padding missing)
 * ```
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  return decodeCanonicalBase64(text, "padded");
}

/**
 * Decodes strict base64 holding UTF-8 text; `undefined` if the base64 is not
 * strict or the bytes are not valid UTF-8 (no replacement characters: two
 * different byte strings never decode to the same password).
 *
 * @example
 * ```ts
 * import { decodeBase64Utf8 } from "@tollgate/tollgate/auth";
 * console.log(decodeBase64Utf8("dGVzdEBkb21haW4uZGU=")); // "test@domain.de"
 * console.log(decodeBase64Utf8("/w==")); // undefined (0xff is not UTF-8)
 * ```
 */
export function decodeBase64Utf8(text: string): string | undefined {
  const bytes = decodeBase64(text);
  if (bytes === undefined) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Encodes bytes, or a string as UTF-8, to padded standard base64.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "@tollgate/tollgate/auth";
 * console.log(encodeBase64("Username:")); // "VXNlcm5hbWU6"
 * ```
 */
export function encodeBase64(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? ENCODER.encode(data) : data;
  return encodeBase64Bytes(bytes, "padded");
}
