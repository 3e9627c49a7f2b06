/**
 * Turns a normaliser that throws `RangeError` into a result a route can branch on.
 *
 * @module
 */

/** A normalised value, or why the input was refused. */
export type Normalized =
  | { kind: "valid"; value: string }
  | { kind: "invalid"; error: string };

/**
 * Runs `normalize(text)`; a `RangeError` becomes `{ kind: "invalid" }` with
 * its message, anything else is rethrown (it is a bug, not bad input).
 */
export function tryNormalize(normalize: (text: string) => string, text: string): Normalized {
  try {
    return { kind: "valid", value: normalize(text) };
  } catch (error) {
    if (error instanceof RangeError) return { kind: "invalid", error: error.message };
    throw error;
  }
}
