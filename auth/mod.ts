/**
 * Server-side SMTP AUTH for Tollgate: the SASL mechanisms (PLAIN, LOGIN,
 * CRAM-MD5, XOAUTH2, OAUTHBEARER) as pure step machines, bearer tokens
 * checked against an identity provider's keys, password hashing (scrypt,
 * PHC strings), Dovecot-compatible CRAM-MD5 secrets, and the verifier that
 * checks credentials against the user store. No I/O of its own: time,
 * randomness and the store are passed in; the one HTTP client (for the
 * identity provider's keys) is the web-standard `fetch`, or one passed in.
 *
 * @example
 * ```ts
 * import { createServerMechanism, isMechanismName } from "@tollgate/tollgate/auth";
 * const name = isMechanismName("login");
 * if (name) {
 *   const mechanism = createServerMechanism(name, {
 *     hostname: "mail.domain.de", now: 0, randomBytes: (n) => new Uint8Array(n),
 *   });
 *   console.log(mechanism.start()); // { kind: "challenge", challenge: "Username:" }
 * }
 * ```
 *
 * @module
 */
export * from "./base64.ts";
export * from "./constant_time.ts";
export * from "./credentials.ts";
export * from "./cram_md5.ts";
export * from "./cram_md5_secret.ts";
export * from "./login.ts";
export * from "./mechanisms.ts";
export * from "./password_hash.ts";
export * from "./plain.ts";
export * from "./sasl.ts";
export * from "./store_verifier.ts";
export * from "./user_secrets.ts";
export * from "./sasl_client.ts";
export * from "./xoauth2.ts";
export * from "./client_group.ts";
export * from "./failure_window.ts";
export * from "./login_limiter.ts";
export * from "./shared_login_limiter.ts";
export * from "./failure_log.ts";
export * from "./legacy_hashes.ts";
export * from "./checkpassword.ts";
export * from "./dovecot_auth.ts";
export * from "./verification_cache.ts";
export * from "./oauth_mechanism.ts";
export * from "./oauth_verifier.ts";
export * from "./jwt_verifier.ts";
