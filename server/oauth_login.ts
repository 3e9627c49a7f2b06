/**
 * Logins with a bearer token from the operator's identity provider
 * (XOAUTH2, OAUTHBEARER) next to the password backend: the settings and the
 * wiring.
 *
 * @module
 */
import { JwtVerifier } from "../auth/jwt_verifier.ts";
import { OAuthVerifier } from "../auth/oauth_verifier.ts";
import type { Stores } from "../store/types.ts";
import type { AuthBackend } from "./platform.ts";

/**
 * Which tokens are accepted (`TOLLGATE_OAUTH_*`).
 *
 * @example
 * ```ts
 * import type { OAuthLoginSettings } from "@tollgate/tollgate/server";
 * const oauth: OAuthLoginSettings = {
 *   issuer: "https://login.example/realms/staff", audience: "tollgate", claim: "email",
 * };
 * console.log(oauth.claim); // "email"
 * ```
 */
export interface OAuthLoginSettings {
  /** The identity provider's issuer URL (`iss`). */
  issuer: string;
  /** The JWKS URL; default: `jwks_uri` from the issuer's OpenID configuration. */
  jwksUrl?: string;
  /** The audience a token must name (`aud`). */
  audience: string;
  /** The claim naming the mailbox. */
  claim: string;
}

/**
 * `backend` with XOAUTH2 and OAUTHBEARER added when `oauth` is set: tokens
 * are checked against the provider's keys and the mailbox against `stores`,
 * everything else by `backend`'s verifier. Without `oauth`, `backend` as it is.
 *
 * @example
 * ```ts
 * import { withOAuthLogin } from "@tollgate/tollgate/server";
 * import { UserStoreVerifier } from "@tollgate/tollgate/auth";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(Date.now);
 * const backend = withOAuthLogin({
 *   verifier: new UserStoreVerifier(stores.users, { cramMd5Enabled: false }),
 *   mechanisms: ["LOGIN", "PLAIN"], adminUsers: stores.users, description: "user store",
 * }, { issuer: "https://login.example", audience: "tollgate", claim: "email" }, stores);
 * console.log(backend.mechanisms); // ["LOGIN", "PLAIN", "XOAUTH2", "OAUTHBEARER"]
 * ```
 */
export function withOAuthLogin(
  backend: AuthBackend,
  oauth: OAuthLoginSettings | undefined,
  stores: Pick<Stores, "users" | "domains">,
): AuthBackend {
  if (oauth === undefined) return backend;
  const tokens = new JwtVerifier({
    issuer: oauth.issuer,
    audience: oauth.audience,
    ...(oauth.jwksUrl === undefined ? {} : { jwksUrl: oauth.jwksUrl }),
  });
  return {
    ...backend,
    verifier: new OAuthVerifier({
      tokens,
      claim: oauth.claim,
      users: stores.users,
      domains: stores.domains,
      passwords: backend.verifier,
    }),
    mechanisms: [...backend.mechanisms, "XOAUTH2", "OAUTHBEARER"],
    description: `${backend.description}, OAuth 2.0 tokens of ${oauth.issuer}`,
  };
}
