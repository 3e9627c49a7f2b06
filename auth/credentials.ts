/**
 * What a SASL exchange yields, and the interface that checks it.
 *
 * @module
 */

/**
 * Credentials gathered by a server-side SASL mechanism.
 *
 * PLAIN and LOGIN carry the password itself; CRAM-MD5 carries the client's
 * HMAC-MD5 digest (hex) over the challenge the server sent; XOAUTH2 and
 * OAUTHBEARER carry a bearer token (a JWT from the operator's identity provider).
 *
 * @example
 * ```ts
 * import type { Credentials } from "@tollgate/tollgate/auth";
 * const credentials: Credentials = {
 *   kind: "password", mechanism: "PLAIN", username: "test@domain.de", password: "testing",
 * };
 * console.log(credentials.mechanism); // "PLAIN"
 * ```
 */
export type Credentials =
  | {
    kind: "password";
    /** The mechanism that gathered it: `PLAIN` or `LOGIN`. */
    mechanism: "PLAIN" | "LOGIN";
    /** The authentication identity (the user name), as sent. */
    username: string;
    /** The password, as sent. Never logged. */
    password: string;
  }
  | {
    kind: "cram-md5";
    mechanism: "CRAM-MD5";
    /** The user name, as sent. */
    username: string;
    /** The challenge the server sent (decoded, `<random.time@host>`). */
    challenge: string;
    /** The client's digest: 32 lower-case hex digits. */
    digest: string;
  }
  | {
    kind: "oauth";
    mechanism: "XOAUTH2" | "OAUTHBEARER";
    /** The user the client named (XOAUTH2's `user=`, OAUTHBEARER's `a=`; may be empty). */
    username: string;
    /** The bearer token, as sent. Never logged. */
    token: string;
  };

/**
 * The outcome of a credential check.
 *
 * `temporary-failure` means the checker could not decide (store down,
 * checker crashed): the client gets `454`, never success.
 *
 * @example
 * ```ts
 * import type { VerifyResult } from "@tollgate/tollgate/auth";
 * const result: VerifyResult = { kind: "temporary-failure", reason: "user store unreachable" };
 * console.log(result.kind); // "temporary-failure"
 * ```
 */
export type VerifyResult =
  | { kind: "accepted"; /** The canonical user name to record. */ user: string }
  | { kind: "rejected" }
  | { kind: "temporary-failure"; /** Why, for the log (never a secret). */ reason: string };

/**
 * Checks credentials. Implementations: the user store (`auth/store_verifier.ts`),
 * and later checkpassword programs and Dovecot.
 *
 * @example
 * ```ts
 * import type { CredentialVerifier } from "@tollgate/tollgate/auth";
 * const nobody: CredentialVerifier = { verify: () => Promise.resolve({ kind: "rejected" }) };
 * console.log((await nobody.verify({
 *   kind: "password", mechanism: "PLAIN", username: "a", password: "b",
 * })).kind); // "rejected"
 * ```
 */
export interface CredentialVerifier {
  /** Checks one set of credentials. Must not throw; failures are results. */
  verify(credentials: Credentials): Promise<VerifyResult>;
}
