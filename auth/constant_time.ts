/**
 * Comparing secrets without revealing, through timing, where they differ.
 *
 * @module
 */

const ENCODER = new TextEncoder();

/**
 * Whether `a` and `b` hold the same bytes (strings are compared as UTF-8),
 * taking the same time wherever the first difference is.
 *
 * Only the lengths leak: inputs of different length return `false` at once.
 * Compare values of a fixed length (digests, derived keys), never raw
 * passwords, and the length tells an attacker nothing.
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from "@tollgate/tollgate/auth";
 * console.log(timingSafeEqual("b913a602", "b913a602")); // true
 * console.log(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))); // false
 * ```
 */
export function timingSafeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const left = typeof a === "string" ? ENCODER.encode(a) : a;
  const right = typeof b === "string" ? ENCODER.encode(b) : b;
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let i = 0; i < left.length; i++) difference |= left[i] ^ right[i];
  return difference === 0;
}
