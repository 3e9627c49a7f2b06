/**
 * Tollgate with logins by tokens of `oauth2-mock-server` (the identity
 * provider, with its JWKS), and tokens of every kind the tests need.
 *
 * @module
 */
import { OAuth2Server } from "oauth2-mock-server";
import { type Idp, startIdp } from "./_oauth_parties.ts";
import { addLocalUser, type RunningTollgate, startTollgate } from "./_server.ts";

/** The audience Tollgate is configured with. */
export const AUDIENCE = "tollgate-smtp";
/** The user the tokens name. */
export const USER = { address: "anna@domain.de", password: "unused-password-9" };

/** What a token should carry. */
export interface TokenShape {
  email?: string;
  audience?: string;
  expiresIn?: number;
}

/** A running IdP, a Tollgate trusting it, and a token factory. */
export interface OAuthLogin {
  idp: Idp;
  tollgate: RunningTollgate;
  /** A token signed by the IdP's key. */
  token(shape?: TokenShape): Promise<string>;
  /** A token with the IdP's issuer and key id, signed by another key. */
  forgedToken(shape?: TokenShape): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the IdP and Tollgate (`env` added), with `USER` in the user store.
 * Tollgate finds the JWKS through the IdP's OpenID configuration, or is
 * told its URL (`TOLLGATE_OAUTH_JWKS`) with `jwks`.
 */
export async function startOAuthLogin(
  env: Record<string, string> = {},
  options: { jwks?: boolean } = {},
): Promise<OAuthLogin> {
  const idp = await startIdp();
  const kid = idp.server.issuer.keys.get()!.kid;
  const other = new OAuth2Server();
  await other.issuer.keys.generate("RS256", { kid });
  other.issuer.url = idp.url;
  const tollgate = await startTollgate({
    env: {
      TOLLGATE_OAUTH_ISSUER: idp.url,
      TOLLGATE_OAUTH_AUDIENCE: AUDIENCE,
      ...(options.jwks ? { TOLLGATE_OAUTH_JWKS: `${idp.url}/jwks` } : {}),
      ...env,
    },
  }).catch(async (error) => {
    await idp.close();
    throw error;
  });
  await addLocalUser(tollgate, USER);
  const build = (server: OAuth2Server, shape: TokenShape = {}) =>
    server.issuer.buildToken({
      expiresIn: shape.expiresIn ?? 600,
      scopesOrTransform: (_header, payload) => {
        payload.aud = shape.audience ?? AUDIENCE;
        payload.sub = "0815";
        payload.email = shape.email ?? USER.address;
      },
    });
  return {
    idp,
    tollgate,
    token: (shape) => build(idp.server, shape),
    forgedToken: (shape) => build(other, shape),
    close: async () => {
      await tollgate.stop();
      await idp.close();
    },
  };
}
