/**
 * Password hashing with scrypt (RFC 7914), stored as PHC strings:
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, the format passlib and the PHC spec use.
 *
 * The KDF is injected. The default, {@linkcode nobleScryptKdf}, is pure JS
 * (`@noble/hashes`) and yields to the event loop while it works; the Deno
 * adapter offers a faster one on `node:crypto`'s thread pool
 * (`runtime/deno/scrypt_kdf.ts`). Both give the same bytes.
 *
 * @module
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { timingSafeEqual } from "./constant_time.ts";
import {
  checkScryptCost,
  formatScryptPhc,
  parseScryptPhc,
  type ScryptCost,
} from "./_scrypt_phc.ts";

export type { ScryptCost } from "./_scrypt_phc.ts";

/**
 * scrypt's parameters as the KDF takes them: N (a power of two), r, p, key length.
 *
 * @example
 * ```ts
 * import { nobleScryptKdf, type ScryptParams } from "@tollgate/tollgate/auth";
 * const params: ScryptParams = { N: 2 ** 10, r: 8, p: 1, dkLen: 32 };
 * const key = await nobleScryptKdf(new TextEncoder().encode("pw"), new Uint8Array(16), params);
 * console.log(key.length); // 32
 * ```
 */
export interface ScryptParams {
  /** The CPU/memory cost, 2^ln. */
  N: number;
  /** The block size. */
  r: number;
  /** The parallelism. */
  p: number;
  /** The derived key's length in bytes. */
  dkLen: number;
}

/**
 * An scrypt implementation: derives `params.dkLen` bytes from a password and salt.
 *
 * @example
 * ```ts
 * import { nobleScryptKdf, type ScryptKdf } from "@tollgate/tollgate/auth";
 * let calls = 0;
 * const counting: ScryptKdf = (password, salt, params) => {
 *   calls++;
 *   return nobleScryptKdf(password, salt, params);
 * };
 * await counting(new Uint8Array(2), new Uint8Array(16), { N: 16, r: 8, p: 1, dkLen: 8 });
 * console.log(calls); // 1
 * ```
 */
export type ScryptKdf = (
  password: Uint8Array,
  salt: Uint8Array,
  params: ScryptParams,
) => Promise<Uint8Array>;

/**
 * The default cost: N = 2^15, r = 8, p = 1 (32 MiB, the OWASP floor for scrypt).
 *
 * @example
 * ```ts
 * import { DEFAULT_SCRYPT_COST } from "@tollgate/tollgate/auth";
 * console.log(DEFAULT_SCRYPT_COST); // { ln: 15, r: 8, p: 1 }
 * ```
 */
export const DEFAULT_SCRYPT_COST: Readonly<ScryptCost> = Object.freeze({ ln: 15, r: 8, p: 1 });

const SALT_LENGTH = 16;
const KEY_LENGTH = 32;
const ENCODER = new TextEncoder();

/**
 * scrypt in pure JS (`scryptAsync` from `@noble/hashes`), yielding to the
 * event loop about every 10 ms so a login does not stall other sessions.
 *
 * @example
 * ```ts
 * import { nobleScryptKdf } from "@tollgate/tollgate/auth";
 * const key = await nobleScryptKdf(new Uint8Array([1]), new Uint8Array(16), {
 *   N: 1024, r: 8, p: 1, dkLen: 32,
 * });
 * console.log(key.length); // 32
 * ```
 */
export function nobleScryptKdf(
  password: Uint8Array,
  salt: Uint8Array,
  params: ScryptParams,
): Promise<Uint8Array> {
  const { N, r, p, dkLen } = params;
  return scryptAsync(password, salt, { N, r, p, dkLen });
}

/**
 * Options for {@linkcode hashPassword}.
 *
 * @example
 * ```ts
 * import { type HashPasswordOptions, hashPassword } from "@tollgate/tollgate/auth";
 * const options: HashPasswordOptions = { cost: { ln: 10, r: 8, p: 1 } };
 * const phc = await hashPassword("testing", options);
 * console.log(phc.startsWith("$scrypt$ln=10,r=8,p=1$")); // true
 * ```
 */
export interface HashPasswordOptions {
  /** The cost; {@linkcode DEFAULT_SCRYPT_COST} if absent. */
  cost?: ScryptCost;
  /** The scrypt implementation; {@linkcode nobleScryptKdf} if absent. */
  kdf?: ScryptKdf;
  /**
   * A CSPRNG for the 16-byte salt. Defaults to the web-standard
   * `crypto.getRandomValues`: hashing happens on the admin path, where passing
   * a source through every layer would buy nothing but ceremony.
   */
  randomBytes?: (n: number) => Uint8Array;
}

/**
 * Options for {@linkcode verifyPassword}.
 *
 * @example
 * ```ts
 * import { hashPassword, verifyPassword } from "@tollgate/tollgate/auth";
 * import type { VerifyPasswordOptions } from "@tollgate/tollgate/auth";
 * const options: VerifyPasswordOptions = {}; // the pure-JS scrypt
 * const phc = await hashPassword("testing", { cost: { ln: 10, r: 8, p: 1 } });
 * console.log(await verifyPassword("testing", phc, options)); // true
 * ```
 */
export interface VerifyPasswordOptions {
  /** The scrypt implementation; {@linkcode nobleScryptKdf} if absent. */
  kdf?: ScryptKdf;
}

/**
 * Hashes a password (UTF-8) with a fresh salt into a PHC string.
 *
 * @example
 * ```ts
 * import { hashPassword } from "@tollgate/tollgate/auth";
 * const phc = await hashPassword("testing", { cost: { ln: 10, r: 8, p: 1 } });
 * console.log(phc.startsWith("$scrypt$ln=10,r=8,p=1$")); // true
 * ```
 */
export async function hashPassword(
  password: string,
  options: HashPasswordOptions = {},
): Promise<string> {
  const cost = options.cost ?? DEFAULT_SCRYPT_COST;
  checkScryptCost(cost);
  const randomBytes = options.randomBytes ?? defaultRandomBytes;
  const salt = randomBytes(SALT_LENGTH);
  if (salt.length !== SALT_LENGTH) {
    throw new RangeError(`Cannot hash password: randomBytes returned ${salt.length} bytes`);
  }
  const kdf = options.kdf ?? nobleScryptKdf;
  const hash = await kdf(ENCODER.encode(password), salt, toParams(cost, KEY_LENGTH));
  return formatScryptPhc({ cost: { ...cost }, salt, hash });
}

/**
 * Whether `password` matches the PHC string, compared in constant time.
 * Throws (SyntaxError or RangeError) if `phc` is not a usable scrypt PHC
 * string: a corrupt record is the operator's problem, not a wrong password.
 *
 * @example
 * ```ts
 * import { hashPassword, verifyPassword } from "@tollgate/tollgate/auth";
 * const phc = await hashPassword("testing", { cost: { ln: 10, r: 8, p: 1 } });
 * console.log(await verifyPassword("testing", phc)); // true
 * console.log(await verifyPassword("Testing", phc)); // false
 * ```
 */
export async function verifyPassword(
  password: string,
  phc: string,
  options: VerifyPasswordOptions = {},
): Promise<boolean> {
  const { cost, salt, hash } = parseScryptPhc(phc);
  const kdf = options.kdf ?? nobleScryptKdf;
  const derived = await kdf(ENCODER.encode(password), salt, toParams(cost, hash.length));
  return timingSafeEqual(derived, hash);
}

/**
 * Whether a PHC string is weaker than `cost` (default
 * {@linkcode DEFAULT_SCRYPT_COST}) in ln, r or p, or has a shorter salt or
 * hash than {@linkcode hashPassword} makes: then hash the password again
 * after the next successful login or password change. Throws like
 * {@linkcode verifyPassword} on an unusable string.
 *
 * @example
 * ```ts
 * import { needsRehash } from "@tollgate/tollgate/auth";
 * const old = "$scrypt$ln=14,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43);
 * console.log(needsRehash(old)); // true
 * ```
 */
export function needsRehash(phc: string, options: { cost?: ScryptCost } = {}): boolean {
  const target = options.cost ?? DEFAULT_SCRYPT_COST;
  const { cost, salt, hash } = parseScryptPhc(phc);
  return cost.ln < target.ln || cost.r < target.r || cost.p < target.p ||
    salt.length < SALT_LENGTH || hash.length < KEY_LENGTH;
}

function toParams(cost: ScryptCost, dkLen: number): ScryptParams {
  return { N: 2 ** cost.ln, r: cost.r, p: cost.p, dkLen };
}

function defaultRandomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}
