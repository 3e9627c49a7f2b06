/**
 * A stand-in scrypt for tests that are not about scrypt: deterministic,
 * instant, and it records every call so tests can compare the work done.
 *
 * @module
 */
import { sha512 } from "@noble/hashes/sha2.js";
import type { ScryptKdf, ScryptParams } from "../auth/password_hash.ts";

/** A recording fake KDF: SHA-512 over the parameters, salt and password. */
export interface FastKdf {
  kdf: ScryptKdf;
  /** The parameters of every call, in order. */
  calls: ScryptParams[];
}

/** Creates a {@linkcode FastKdf}. */
export function createFastKdf(): FastKdf {
  const calls: ScryptParams[] = [];
  const kdf: ScryptKdf = (password, salt, params) => {
    calls.push({ ...params });
    const { N, r, p, dkLen } = params;
    const header = new TextEncoder().encode(`${N},${r},${p},${dkLen},${salt.length};`);
    const digest = sha512(new Uint8Array([...header, ...salt, ...password]));
    return Promise.resolve(digest.slice(0, dkLen));
  };
  return { kdf, calls };
}
