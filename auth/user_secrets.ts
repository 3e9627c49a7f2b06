/**
 * What to store when a user's password is set.
 *
 * @module
 */
import { cramMd5Secret } from "./cram_md5_secret.ts";
import { hashPassword, type ScryptCost, type ScryptKdf } from "./password_hash.ts";

/**
 * The secrets stored for a user (the `UserRecord` fields of the same names).
 *
 * @example
 * ```ts
 * import type { UserSecrets } from "@tollgate/tollgate/auth";
 * const secrets: UserSecrets = { passwordHash: "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA" };
 * console.log(secrets.cramMd5Secret ?? "no CRAM-MD5"); // "no CRAM-MD5"
 * ```
 */
export interface UserSecrets {
  /** The scrypt PHC string. */
  passwordHash: string;
  /** Dovecot's `{CRAM-MD5}` secret, only when CRAM-MD5 is enabled. */
  cramMd5Secret?: string;
}

/**
 * Options for {@linkcode createUserSecrets}.
 *
 * @example
 * ```ts
 * import { createUserSecrets, type UserSecretsOptions } from "@tollgate/tollgate/auth";
 * const options: UserSecretsOptions = { cramMd5: false, cost: { ln: 10, r: 8, p: 1 } };
 * const secrets = await createUserSecrets("testing", options);
 * console.log(secrets.cramMd5Secret); // undefined
 * ```
 */
export interface UserSecretsOptions {
  /** Whether to store a CRAM-MD5 secret too (only while CRAM-MD5 is offered). */
  cramMd5: boolean;
  /** The scrypt implementation; the pure-JS default if absent. */
  kdf?: ScryptKdf;
  /** The scrypt cost; `DEFAULT_SCRYPT_COST` if absent. */
  cost?: ScryptCost;
  /** A CSPRNG for the salt; `crypto.getRandomValues` if absent. */
  randomBytes?: (n: number) => Uint8Array;
}

/**
 * Hashes a new password, and derives its CRAM-MD5 secret if asked.
 *
 * Throws a RangeError for an empty password or one containing NUL: no SASL
 * mechanism could ever send either, so such a password would lock the user out.
 *
 * @example
 * ```ts
 * import { createUserSecrets } from "@tollgate/tollgate/auth";
 * const secrets = await createUserSecrets("testing", {
 *   cramMd5: true, cost: { ln: 10, r: 8, p: 1 },
 * });
 * console.log(secrets.cramMd5Secret?.length); // 64
 * ```
 */
export async function createUserSecrets(
  password: string,
  options: UserSecretsOptions,
): Promise<UserSecrets> {
  if (password === "") throw new RangeError("Cannot set password: it is empty");
  if (password.includes("\0")) throw new RangeError("Cannot set password: it contains NUL");
  const { kdf, cost, randomBytes } = options;
  const passwordHash = await hashPassword(password, { kdf, cost, randomBytes });
  return options.cramMd5 ? { passwordHash, cramMd5Secret: cramMd5Secret(password) } : {
    passwordHash,
  };
}
