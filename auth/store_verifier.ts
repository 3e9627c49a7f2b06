/**
 * Checking SMTP AUTH credentials against the user store.
 *
 * @module
 */
import type { UserRecord, UserStore } from "../store/types.ts";
import type { Credentials, CredentialVerifier, VerifyResult } from "./credentials.ts";
import { timingSafeEqual } from "./constant_time.ts";
import { cramMd5Digest } from "./cram_md5_secret.ts";
import { type CryptFunction, readPasswordHash, verifyLegacyHash } from "./legacy_hashes.ts";
import { type ScryptKdf, verifyPassword } from "./password_hash.ts";
import { createUserSecrets } from "./user_secrets.ts";

/**
 * Stands in for the hash of a user who does not exist. Its bytes never need to
 * match anything (the result is ignored); its cost is the default, so an
 * unknown user costs what a user with a current hash costs.
 */
const DUMMY_PASSWORD_HASH = `$scrypt$ln=15,r=8,p=1$${"A".repeat(22)}$${"A".repeat(43)}`;
const DUMMY_CRAM_MD5_SECRET = "0".repeat(64);
const REJECTED: VerifyResult = { kind: "rejected" };

/**
 * Options for {@linkcode UserStoreVerifier}.
 *
 * @example
 * ```ts
 * import { UserStoreVerifier, type UserStoreVerifierOptions } from "@tollgate/tollgate/auth";
 * import { MemoryUserStore } from "@tollgate/tollgate/store";
 * const options: UserStoreVerifierOptions = { cramMd5Enabled: false };
 * const verifier = new UserStoreVerifier(new MemoryUserStore(), options);
 * console.log(options.cramMd5Enabled); // false
 * ```
 */
export interface UserStoreVerifierOptions {
  /** The scrypt implementation; the pure-JS default if absent. */
  kdf?: ScryptKdf;
  /** Whether CRAM-MD5 answers are checked at all; if not, they are rejected. */
  cramMd5Enabled: boolean;
  /** crypt(3) for imported `$1$`/`$5$`/`$6$` hashes (`nodeCrypt` in `deno/`). */
  crypt?: CryptFunction;
}

/**
 * A {@linkcode CredentialVerifier} over a {@linkcode UserStore}.
 *
 * - The user name is trimmed and lower-cased before the lookup; `accepted.user`
 *   is the stored address.
 * - PLAIN and LOGIN: the password against the scrypt PHC string, or against
 *   an imported hash (`auth/legacy_hashes.ts`); after a login with an imported
 *   hash, the user's hash is replaced by a scrypt one (and a CRAM-MD5 secret
 *   while CRAM-MD5 is on), unless the hash changed meanwhile. A failed
 *   upgrade does not fail the login; the next login tries again.
 * - CRAM-MD5: the digest from the stored `{CRAM-MD5}` secret, compared in
 *   constant time; rejected when the user has no secret or CRAM-MD5 is off.
 * - An unknown user costs the same work as a known one (a dummy scrypt run or
 *   digest), so timing does not tell which users exist.
 * - A store that throws, or a stored secret that cannot be read, is a
 *   `temporary-failure`, never an acceptance.
 *
 * @example
 * ```ts
 * import { createUserSecrets, UserStoreVerifier } from "@tollgate/tollgate/auth";
 * import { MemoryUserStore } from "@tollgate/tollgate/store";
 * const users = new MemoryUserStore();
 * const secrets = await createUserSecrets("testing", { cramMd5: false, cost: { ln: 10, r: 8, p: 1 } });
 * await users.put({ address: "test@domain.de", ...secrets, updatedAt: 0 });
 * const verifier = new UserStoreVerifier(users, { cramMd5Enabled: false });
 * console.log(await verifier.verify({
 *   kind: "password", mechanism: "LOGIN", username: "Test@Domain.de", password: "testing",
 * })); // { kind: "accepted", user: "test@domain.de" }
 * ```
 */
export class UserStoreVerifier implements CredentialVerifier {
  #users: UserStore;
  #kdf: ScryptKdf | undefined;
  #cramMd5Enabled: boolean;
  #crypt: CryptFunction | undefined;

  /** Checks against `users`, with the given KDF and CRAM-MD5 setting. */
  constructor(users: UserStore, options: UserStoreVerifierOptions) {
    this.#users = users;
    this.#kdf = options.kdf;
    this.#cramMd5Enabled = options.cramMd5Enabled;
    this.#crypt = options.crypt;
  }

  /** Checks one set of credentials; never throws. */
  async verify(credentials: Credentials): Promise<VerifyResult> {
    if (credentials.kind === "cram-md5" && !this.#cramMd5Enabled) return REJECTED;
    if (credentials.kind === "oauth") return REJECTED; // tokens are checked by OAuthVerifier
    const address = credentials.username.trim().toLowerCase();
    let user: UserRecord | undefined;
    try {
      user = await this.#users.get(address);
    } catch (error) {
      return { kind: "temporary-failure", reason: `user store failed: ${describe(error)}` };
    }
    try {
      const matches = credentials.kind === "password"
        ? await this.#passwordMatches(user, credentials.password)
        : this.#digestMatches(user, credentials.challenge, credentials.digest);
      return user !== undefined && matches ? { kind: "accepted", user: user.address } : REJECTED;
    } catch (error) {
      return {
        kind: "temporary-failure",
        reason: `cannot read stored secret of ${address}: ${describe(error)}`,
      };
    }
  }

  async #passwordMatches(user: UserRecord | undefined, password: string): Promise<boolean> {
    const phc = user?.passwordHash ?? DUMMY_PASSWORD_HASH;
    const stored = readPasswordHash(phc);
    // Not legacy: scrypt, or a corrupt string that verifyPassword throws on.
    if (stored.kind !== "legacy") return verifyPassword(password, phc, { kdf: this.#kdf });
    const matches = await verifyLegacyHash(password, stored.hash, { crypt: this.#crypt });
    if (matches) await this.#upgrade(user!, password).catch(() => {});
    return matches;
  }

  /** Replaces an imported hash with Tollgate's own, if nobody changed it meanwhile. */
  async #upgrade(user: UserRecord, password: string): Promise<void> {
    const secrets = await createUserSecrets(password, {
      cramMd5: this.#cramMd5Enabled,
      kdf: this.#kdf,
    });
    const current = await this.#users.get(user.address);
    if (current?.passwordHash !== user.passwordHash) return;
    const { cramMd5Secret: _old, ...rest } = current;
    await this.#users.put({ ...rest, ...secrets });
  }

  #digestMatches(user: UserRecord | undefined, challenge: string, digest: string): boolean {
    const secret = user?.cramMd5Secret;
    const expected = cramMd5Digest(secret ?? DUMMY_CRAM_MD5_SECRET, challenge);
    return secret !== undefined && timingSafeEqual(expected, digest);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
