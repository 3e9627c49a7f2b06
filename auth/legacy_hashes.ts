/**
 * Password hashes imported from other mail systems: crypt(3) MD5 (`$1$`),
 * SHA-256 (`$5$`) and SHA-512 (`$6$`), bcrypt (`$2a$`/`$2b$`/`$2y$`),
 * Argon2id (`$argon2id$`), and Dovecot's `{SCHEME}` prefixes for them plus
 * `{CRAM-MD5}`. A user whose `passwordHash` holds one of these logs in with
 * it once; the verifier then stores Tollgate's own scrypt hash instead.
 *
 * The algorithms come from libraries: bcrypt from `bcryptjs` (pure JS; it
 * reaches for `node:crypto` only to make salts, which verifying never does,
 * and its `browser` field drops that import), Argon2id from `@noble/hashes`
 * (pure JS, ~3 s for Dovecot's default m=65536,t=3, yielding to the event
 * loop), and the crypt(3) family from an injected
 * {@linkcode CryptFunction} (the npm implementations need `node:crypto`, so
 * `runtime/deno/legacy_crypt.ts` supplies one and this file stays runtime-agnostic).
 *
 * @module
 */
import bcrypt from "bcryptjs";
import { argon2idAsync } from "@noble/hashes/argon2.js";
import { timingSafeEqual } from "./constant_time.ts";
import { cramMd5Secret } from "./cram_md5_secret.ts";
import { decodeCanonicalBase64 } from "./_encoding.ts";

/**
 * The imported schemes, by Dovecot's names for them.
 *
 * @example
 * ```ts
 * import { type LegacyScheme, readPasswordHash } from "@tollgate/tollgate/auth";
 * const read = readPasswordHash("{CRAM-MD5}" + "0".repeat(64));
 * const scheme: LegacyScheme | undefined = read.kind === "legacy" ? read.hash.scheme : undefined;
 * console.log(scheme); // "CRAM-MD5"
 * ```
 */
export type LegacyScheme =
  | "MD5-CRYPT"
  | "SHA256-CRYPT"
  | "SHA512-CRYPT"
  | "BLF-CRYPT"
  | "ARGON2ID"
  | "CRAM-MD5";

/**
 * An imported hash: its scheme and the value without any `{SCHEME}` prefix.
 *
 * @example
 * ```ts
 * import type { LegacyHash } from "@tollgate/tollgate/auth";
 * const hash: LegacyHash = { scheme: "SHA512-CRYPT", value: "$6$salt$..." };
 * console.log(hash.scheme); // "SHA512-CRYPT"
 * ```
 */
export interface LegacyHash {
  /** The scheme the value is in. */
  scheme: LegacyScheme;
  /** The hash as crypt(3), bcrypt or Argon2 write it, or 64 hex digits for CRAM-MD5. */
  value: string;
}

/**
 * What a stored or submitted hash string is: Tollgate's own scrypt PHC
 * string, an imported scheme, or something Tollgate cannot verify.
 *
 * @example
 * ```ts
 * import { type PasswordHashKind, readPasswordHash } from "@tollgate/tollgate/auth";
 * const kind: PasswordHashKind = readPasswordHash("$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA");
 * console.log(kind.kind); // "scrypt"
 * ```
 */
export type PasswordHashKind =
  | { kind: "scrypt"; phc: string }
  | { kind: "legacy"; hash: LegacyHash }
  | { kind: "invalid"; reason: string };

/**
 * crypt(3): hashes `password` (UTF-8) with `setting` (`$1$salt`,
 * `$5$rounds=N$salt`, `$6$salt`) and returns the whole hash string.
 *
 * @example
 * ```ts
 * import type { CryptFunction } from "@tollgate/tollgate/auth";
 * // A stand-in; `nodeCrypt` from "@tollgate/tollgate/deno" is the real crypt(3).
 * const fakeCrypt: CryptFunction = (password, setting) => `${setting}$${password.length}`;
 * console.log(fakeCrypt("secret", "$6$salt")); // "$6$salt$6"
 * ```
 */
export type CryptFunction = (password: string, setting: string) => string | Promise<string>;

/**
 * Options for {@linkcode verifyLegacyHash}.
 *
 * @example
 * ```ts
 * import type { VerifyLegacyHashOptions } from "@tollgate/tollgate/auth";
 * const options: VerifyLegacyHashOptions = {}; // no crypt(3): `$1$`, `$5$`, `$6$` hashes throw
 * console.log(options.crypt); // undefined
 * ```
 */
export interface VerifyLegacyHashOptions {
  /** crypt(3) for `$1$`, `$5$` and `$6$`; without it those hashes throw a TypeError. */
  crypt?: CryptFunction;
}

/** The most Argon2 memory (KiB) a hash may ask for: 256 MiB, as for scrypt. */
const MAX_ARGON2_MEMORY_KIB = 256 * 1024;
const MAX_ARGON2_PASSES = 16;

const SHAPES: Record<LegacyScheme, RegExp> = {
  "MD5-CRYPT": /^\$1\$[^$:\s]{0,8}\$[./0-9A-Za-z]{22}$/,
  "SHA256-CRYPT": /^\$5\$(?:rounds=\d{1,9}\$)?[^$:\s]{0,16}\$[./0-9A-Za-z]{43}$/,
  "SHA512-CRYPT": /^\$6\$(?:rounds=\d{1,9}\$)?[^$:\s]{0,16}\$[./0-9A-Za-z]{86}$/,
  "BLF-CRYPT": /^\$2[aby]\$(?:0[4-9]|[12]\d|3[01])\$[./0-9A-Za-z]{53}$/,
  "ARGON2ID":
    /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{22,})$/,
  "CRAM-MD5": /^[0-9a-fA-F]{64}$/,
};

/** Dovecot prefixes and the schemes they may hold (`{CRYPT}` is any crypt(3) string). */
const PREFIXES: Record<string, readonly LegacyScheme[]> = {
  "CRYPT": ["MD5-CRYPT", "SHA256-CRYPT", "SHA512-CRYPT", "BLF-CRYPT"],
  "MD5-CRYPT": ["MD5-CRYPT"],
  "SHA256-CRYPT": ["SHA256-CRYPT"],
  "SHA512-CRYPT": ["SHA512-CRYPT"],
  "BLF-CRYPT": ["BLF-CRYPT"],
  "ARGON2ID": ["ARGON2ID"],
  "CRAM-MD5": ["CRAM-MD5"],
  "HMAC-MD5": ["CRAM-MD5"],
};

/** Schemes recognised by their own `$id$` without a prefix. */
const UNPREFIXED: readonly LegacyScheme[] = [
  "MD5-CRYPT",
  "SHA256-CRYPT",
  "SHA512-CRYPT",
  "BLF-CRYPT",
  "ARGON2ID",
];

/**
 * Tells what a hash string is, checking its shape (and bounding Argon2's
 * cost) without verifying anything. `{CRAM-MD5}` needs its prefix: 64 hex
 * digits alone could be anything.
 *
 * @example
 * ```ts
 * import { readPasswordHash } from "@tollgate/tollgate/auth";
 * console.log(readPasswordHash("{CRAM-MD5}" + "0".repeat(64)).kind); // "legacy"
 * console.log(readPasswordHash("{PLAIN}secret"));
 * // { kind: "invalid", reason: "unsupported scheme {PLAIN}" }
 * ```
 */
export function readPasswordHash(text: string): PasswordHashKind {
  if (text.startsWith("$scrypt$")) return { kind: "scrypt", phc: text };
  const prefixed = /^\{([A-Za-z0-9.-]+)\}(.*)$/s.exec(text);
  const candidates = prefixed ? PREFIXES[prefixed[1].toUpperCase()] : UNPREFIXED;
  if (candidates === undefined) {
    return { kind: "invalid", reason: `unsupported scheme {${prefixed?.[1]}}` };
  }
  const value = prefixed ? prefixed[2] : text;
  const scheme = candidates.find((candidate) => SHAPES[candidate].test(value));
  if (scheme === undefined) {
    const expected = prefixed ? `a {${prefixed[1].toUpperCase()}} hash` : "a known hash format";
    return { kind: "invalid", reason: `not ${expected}` };
  }
  if (scheme === "ARGON2ID") {
    const [, memory, passes] = SHAPES.ARGON2ID.exec(value)!.map(Number);
    if (memory > MAX_ARGON2_MEMORY_KIB || passes > MAX_ARGON2_PASSES || passes < 1) {
      return { kind: "invalid", reason: "Argon2 cost above m=262144 (256 MiB), t=16" };
    }
  }
  return {
    kind: "legacy",
    hash: { scheme, value: scheme === "CRAM-MD5" ? value.toLowerCase() : value },
  };
}

/**
 * Whether `password` matches an imported hash, compared in constant time
 * where the library leaves the comparison to us. Throws a TypeError for a
 * crypt(3) hash when no {@linkcode CryptFunction} was given.
 *
 * A `CRAM-MD5` secret (Dovecot's precomputed HMAC-MD5 contexts) checks a
 * PLAIN or LOGIN password too: the contexts are computed from the password
 * and compared with the stored ones.
 *
 * @example
 * ```ts
 * import { cramMd5Secret, verifyLegacyHash } from "@tollgate/tollgate/auth";
 * const hash = { scheme: "CRAM-MD5" as const, value: cramMd5Secret("testing") };
 * console.log(await verifyLegacyHash("testing", hash)); // true
 * console.log(await verifyLegacyHash("Testing", hash)); // false
 * ```
 */
export async function verifyLegacyHash(
  password: string,
  hash: LegacyHash,
  options: VerifyLegacyHashOptions = {},
): Promise<boolean> {
  const { scheme, value } = hash;
  switch (scheme) {
    case "MD5-CRYPT":
    case "SHA256-CRYPT":
    case "SHA512-CRYPT": {
      if (options.crypt === undefined) {
        throw new TypeError(`Cannot verify ${scheme} hash: no crypt(3) implementation was given`);
      }
      const setting = value.slice(0, value.lastIndexOf("$"));
      return timingSafeEqual(await options.crypt(password, setting), value);
    }
    case "BLF-CRYPT":
      return await bcrypt.compare(password, value);
    case "ARGON2ID":
      return await verifyArgon2id(password, value);
    case "CRAM-MD5":
      return timingSafeEqual(cramMd5Secret(password), value);
  }
}

async function verifyArgon2id(password: string, value: string): Promise<boolean> {
  const [, memory, passes, parallelism, salt, hash] = SHAPES.ARGON2ID.exec(value)!;
  const expected = decodeCanonicalBase64(hash, "unpadded");
  const saltBytes = decodeCanonicalBase64(salt, "unpadded");
  if (expected === undefined || saltBytes === undefined) return false;
  const derived = await argon2idAsync(password, saltBytes, {
    m: Number(memory),
    t: Number(passes),
    p: Number(parallelism),
    dkLen: expected.length,
    version: 0x13,
  });
  return timingSafeEqual(derived, expected);
}
