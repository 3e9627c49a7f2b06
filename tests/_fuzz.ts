/**
 * Shared settings for the property-based tests (`fuzz_*_test.ts`): a fixed
 * seed, so every run checks the same inputs and a failure reproduces;
 * fast-check prints the seed and the shrunk counterexample when one fails.
 *
 * `TOLLGATE_FUZZ_SEED` picks another seed and `TOLLGATE_FUZZ_SCALE`
 * multiplies the number of runs, to explore further by hand.
 *
 * @module
 */
import type { Parameters } from "fast-check";
import { env } from "node:process";

/** The seed every fuzz test uses unless `TOLLGATE_FUZZ_SEED` says otherwise. */
export const DEFAULT_FUZZ_SEED = 20_250_106;

/** fast-check parameters: `numRuns` runs (times the scale) from the fixed seed. */
export function fuzzParameters<T>(numRuns: number): Parameters<T> {
  const seed = Number(env.TOLLGATE_FUZZ_SEED ?? DEFAULT_FUZZ_SEED);
  const scale = Number(env.TOLLGATE_FUZZ_SCALE ?? 1);
  return { numRuns: Math.max(1, Math.round(numRuns * scale)), seed };
}

/** Splits `bytes` at the given cut points (any numbers; taken modulo the length, sorted). */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.slice(start, point));
    start = point;
  }
  return pieces;
}

/** Joins byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
