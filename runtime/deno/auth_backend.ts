/**
 * Chooses who checks SMTP AUTH passwords from the settings: Tollgate's user
 * store (the default), a checkpassword program (`TOLLGATE_CHECKPASSWORD`) or
 * Dovecot (`TOLLGATE_DOVECOT_AUTH`), with the verification cache in front
 * when `TOLLGATE_AUTH_CACHE_TTL` is above 0.
 *
 * @module
 */
import type { MechanismName } from "../../auth/sasl.ts";
import type { AuthBackend } from "../../server/platform.ts";
import { UserStoreVerifier } from "../../auth/store_verifier.ts";
import {
  CachingVerifier,
  forgetOnChange,
  VerificationCache,
} from "../../auth/verification_cache.ts";
import type { UserStore } from "../../store/types.ts";
import { CheckpasswordVerifier } from "./checkpassword_runner.ts";
import type { TollgateConfig } from "./config.ts";
import { DovecotVerifier } from "./dovecot_client.ts";
import { nodeCrypt } from "./legacy_crypt.ts";
import { nodeScryptKdf } from "./scrypt_kdf.ts";

export type { AuthBackend };

/** The settings the backend is chosen from. */
export type AuthBackendConfig = Pick<
  TollgateConfig,
  | "cramMd5"
  | "checkpassword"
  | "checkpasswordCram"
  | "dovecotAuth"
  | "authCacheTtlSeconds"
  | "authTimeoutMs"
>;

/**
 * Builds the verifier for `config` over `users`. With the user store as the
 * backend, a cached acceptance is checked against the user's `updatedAt` in
 * `fresh` (the store itself, not a read cache in front of it) on every
 * login, so an admin change on any node ends it at once.
 *
 * @example
 * ```ts
 * import { createAuthBackend } from "@tollgate/tollgate/deno";
 * import { MemoryUserStore } from "@tollgate/tollgate/store";
 * const backend = createAuthBackend({
 *   cramMd5: true, checkpasswordCram: "response-first", authCacheTtlSeconds: 0,
 *   authTimeoutMs: 10_000,
 * }, new MemoryUserStore());
 * console.log(backend.description, backend.mechanisms); // "user store" ["LOGIN", "CRAM-MD5", "PLAIN"]
 * ```
 */
export function createAuthBackend(
  config: AuthBackendConfig,
  users: UserStore,
  fresh: UserStore = users,
): AuthBackend {
  const { verifier, description, cramMd5, storeBacked } = chooseVerifier(config, users);
  const mechanisms: MechanismName[] = cramMd5 ? ["LOGIN", "CRAM-MD5", "PLAIN"] : ["LOGIN", "PLAIN"];
  if (config.authCacheTtlSeconds === 0) {
    return { verifier, mechanisms, adminUsers: users, description };
  }
  const cache = new VerificationCache({
    ttlMs: config.authCacheTtlSeconds * 1000,
    key: crypto.getRandomValues(new Uint8Array(32)),
  });
  return {
    verifier: new CachingVerifier(verifier, {
      cache,
      now: Date.now,
      stamp: storeBacked ? async (user) => (await fresh.get(user))?.updatedAt : undefined,
    }),
    mechanisms,
    adminUsers: forgetOnChange(users, cache),
    description: `${description}, cache ${config.authCacheTtlSeconds} s`,
  };
}

function chooseVerifier(config: AuthBackendConfig, users: UserStore) {
  const timeoutMs = config.authTimeoutMs;
  if (config.dovecotAuth !== undefined) {
    const address = config.dovecotAuth;
    const where = "path" in address ? address.path : `${address.hostname}:${address.port}`;
    return {
      verifier: new DovecotVerifier(address, { timeoutMs }),
      description: `Dovecot at ${where}`,
      cramMd5: false,
      storeBacked: false,
    };
  }
  if (config.checkpassword !== undefined) {
    return {
      verifier: new CheckpasswordVerifier(config.checkpassword, {
        cramOrder: config.checkpasswordCram,
        timeoutMs,
      }),
      description: `checkpassword ${
        config.checkpassword[0]
      } (CRAM-MD5 ${config.checkpasswordCram})`,
      cramMd5: config.cramMd5,
      storeBacked: false,
    };
  }
  return {
    verifier: new UserStoreVerifier(users, {
      kdf: nodeScryptKdf,
      crypt: nodeCrypt,
      cramMd5Enabled: config.cramMd5,
    }),
    description: "user store",
    cramMd5: config.cramMd5,
    storeBacked: true,
  };
}
