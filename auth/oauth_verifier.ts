/**
 * Checking XOAUTH2 and OAUTHBEARER logins: the token through an injected
 * {@linkcode TokenVerifier} (signature, issuer, audience, expiry), then the
 * claim that names the mailbox against the domain and user stores.
 *
 * @module
 */
import type { DomainStore, UserStore } from "../store/types.ts";
import type { Credentials, CredentialVerifier, VerifyResult } from "./credentials.ts";

/**
 * What a {@linkcode TokenVerifier} says of one token.
 *
 * @example
 * ```ts
 * import type { TokenCheck } from "@tollgate/tollgate/auth";
 * const check: TokenCheck = { kind: "valid", claims: { email: "test@domain.de" } };
 * console.log(check.kind); // "valid"
 * ```
 */
export type TokenCheck =
  | { kind: "valid"; /** The token's claims. */ claims: Readonly<Record<string, unknown>> }
  | { kind: "invalid"; /** Why, for the log (never the token). */ reason: string }
  | { kind: "temporary-failure"; /** Why, for the log. */ reason: string };

/**
 * Checks a bearer token's signature, issuer, audience and expiry.
 *
 * @example
 * ```ts
 * import type { TokenVerifier } from "@tollgate/tollgate/auth";
 * const none: TokenVerifier = { verify: () => Promise.resolve({ kind: "invalid", reason: "no" }) };
 * console.log((await none.verify("t")).kind); // "invalid"
 * ```
 */
export interface TokenVerifier {
  /** Checks one token. Must not throw; failures are results. */
  verify(token: string): Promise<TokenCheck>;
}

/**
 * What {@linkcode OAuthVerifier} needs.
 *
 * @example
 * ```ts
 * import type { OAuthVerifierOptions } from "@tollgate/tollgate/auth";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(Date.now);
 * const options: OAuthVerifierOptions = {
 *   tokens: { verify: () => Promise.resolve({ kind: "invalid", reason: "demo" }) },
 *   claim: "email", users: stores.users, domains: stores.domains,
 *   passwords: { verify: () => Promise.resolve({ kind: "rejected" }) },
 * };
 * console.log(options.claim); // "email"
 * ```
 */
export interface OAuthVerifierOptions {
  /** Checks the token itself. */
  tokens: TokenVerifier;
  /** The claim naming the mailbox (`email`). */
  claim: string;
  /** The users: the mailbox must be one. */
  users: Pick<UserStore, "get">;
  /** The local domains: the mailbox's domain must be one. */
  domains: Pick<DomainStore, "has">;
  /** Checks every other kind of credentials (passwords, CRAM-MD5). */
  passwords: CredentialVerifier;
}

const REJECTED: VerifyResult = { kind: "rejected" };

/**
 * A {@linkcode CredentialVerifier} that accepts a bearer token when the
 * {@linkcode TokenVerifier} finds it valid and its claim names a known user
 * (compared case-insensitively; `accepted.user` is the stored address). A
 * user named in the SASL message must be that mailbox too. Other credentials
 * go to `passwords`. A store or key server that fails is a
 * `temporary-failure`.
 *
 * @example
 * ```ts
 * import { OAuthVerifier } from "@tollgate/tollgate/auth";
 * import { MemoryDomainStore, MemoryUserStore } from "@tollgate/tollgate/store";
 * const users = new MemoryUserStore();
 * await users.put({ address: "test@domain.de", passwordHash: "x", updatedAt: 0 });
 * const domains = new MemoryDomainStore();
 * await domains.add("domain.de");
 * const verifier = new OAuthVerifier({
 *   tokens: { verify: () => Promise.resolve({ kind: "valid", claims: { email: "Test@Domain.de" } }) },
 *   claim: "email", users, domains,
 *   passwords: { verify: () => Promise.resolve({ kind: "rejected" }) },
 * });
 * console.log(await verifier.verify({
 *   kind: "oauth", mechanism: "XOAUTH2", username: "test@domain.de", token: "eyJ...",
 * })); // { kind: "accepted", user: "test@domain.de" }
 * ```
 */
export class OAuthVerifier implements CredentialVerifier {
  #options: OAuthVerifierOptions;

  /** Checks tokens as `options` say, and other credentials with `options.passwords`. */
  constructor(options: OAuthVerifierOptions) {
    this.#options = options;
  }

  /** Checks one set of credentials; never throws. */
  async verify(credentials: Credentials): Promise<VerifyResult> {
    if (credentials.kind !== "oauth") return await this.#options.passwords.verify(credentials);
    const check = await this.#options.tokens.verify(credentials.token);
    if (check.kind !== "valid") return check.kind === "invalid" ? REJECTED : check;
    const mailbox = check.claims[this.#options.claim];
    if (typeof mailbox !== "string") return REJECTED;
    const address = mailbox.trim().toLowerCase();
    const named = credentials.username.trim().toLowerCase();
    const at = address.lastIndexOf("@");
    if (at < 1 || (named !== "" && named !== address)) return REJECTED;
    try {
      const { users, domains } = this.#options;
      if (!(await domains.has(address.slice(at + 1)))) return REJECTED;
      const user = await users.get(address);
      return user === undefined ? REJECTED : { kind: "accepted", user: user.address };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { kind: "temporary-failure", reason: `store failed: ${reason}` };
    }
  }
}
