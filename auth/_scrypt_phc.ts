/**
 * The PHC string format for scrypt, as passlib writes it:
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, salt and hash in standard base64
 * without padding (PHC string format spec, "B64").
 *
 * @module
 */
import { decodeCanonicalBase64, encodeBase64Bytes } from "./_encoding.ts";

/**
 * scrypt's cost: N = 2^`ln`, block size `r`, parallelism `p`.
 *
 * @example
 * ```ts
 * import { DEFAULT_SCRYPT_COST, type ScryptCost } from "@tollgate/tollgate/auth";
 * const cheaper: ScryptCost = { ...DEFAULT_SCRYPT_COST, ln: 14 };
 * console.log(2 ** cheaper.ln, cheaper.r, cheaper.p); // 16384 8 1
 * ```
 */
export interface ScryptCost {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  /** The block size. */
  r: number;
  /** The parallelism. */
  p: number;
}

/** A parsed scrypt PHC string. */
export interface ScryptPhc {
  cost: ScryptCost;
  salt: Uint8Array;
  hash: Uint8Array;
}

/** The most memory (128·N·r bytes) a hash may ask for: bounds a tampered or hostile hash. */
export const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

const PHC_SHAPE =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Throws a RangeError if `cost` is not usable. */
export function checkScryptCost(cost: ScryptCost): void {
  const { ln, r, p } = cost;
  if (!Number.isInteger(ln) || ln < 1 || ln > 31) {
    throw new RangeError(`Cannot use scrypt cost: ln must be an integer from 1 to 31, got ${ln}`);
  }
  if (!Number.isInteger(r) || r < 1 || !Number.isInteger(p) || p < 1 || p > 16) {
    throw new RangeError(`Cannot use scrypt cost: r must be >= 1 and p from 1 to 16`);
  }
  if (128 * 2 ** ln * r > MAX_SCRYPT_MEMORY) {
    throw new RangeError(`Cannot use scrypt cost: ln=${ln},r=${r} needs more than 256 MiB`);
  }
}

/** Parses a scrypt PHC string; throws SyntaxError or RangeError on a bad one. */
export function parseScryptPhc(phc: string): ScryptPhc {
  const match = PHC_SHAPE.exec(phc);
  if (match === null) {
    throw new SyntaxError("Cannot parse password hash: not a $scrypt$ln=..,r=..,p=..$ PHC string");
  }
  const cost = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  checkScryptCost(cost);
  const salt = decodeCanonicalBase64(match[4], "unpadded");
  const hash = decodeCanonicalBase64(match[5], "unpadded");
  if (salt === undefined || hash === undefined) {
    throw new SyntaxError("Cannot parse password hash: salt or hash is not canonical base64");
  }
  if (salt.length < 8 || salt.length > 64 || hash.length < 16 || hash.length > 64) {
    throw new RangeError("Cannot parse password hash: salt or hash has an unusual length");
  }
  return { cost, salt, hash };
}

/** Formats a scrypt PHC string. */
export function formatScryptPhc({ cost, salt, hash }: ScryptPhc): string {
  const encode = (bytes: Uint8Array) => encodeBase64Bytes(bytes, "unpadded");
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${encode(salt)}$${encode(hash)}`;
}
