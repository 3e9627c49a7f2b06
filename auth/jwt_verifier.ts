/**
 * A {@linkcode TokenVerifier} for JWTs from an OpenID Connect identity
 * provider, with `jose` (runtime-neutral): keys from the provider's JWKS
 * (`jwks_uri` of its `/.well-known/openid-configuration` unless given),
 * fetched with an injectable `fetch`, cached and refreshed by `jose`.
 *
 * @module
 */
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { TokenCheck, TokenVerifier } from "./oauth_verifier.ts";

/**
 * Where the keys come from and what a token must say.
 *
 * @example
 * ```ts
 * import type { JwtVerifierOptions } from "@tollgate/tollgate/auth";
 * const options: JwtVerifierOptions = {
 *   issuer: "https://sso.domain.de/realms/mail", audience: "tollgate",
 * };
 * console.log(options.audience); // "tollgate"
 * ```
 */
export interface JwtVerifierOptions {
  /** The `iss` a token must carry; also where the keys are discovered. */
  issuer: string;
  /** The `aud` a token must include. */
  audience: string;
  /** The JWKS URL; default: `jwks_uri` from the issuer's OpenID configuration. */
  jwksUrl?: string;
  /** The HTTP client; default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** jose's error codes that say the key server, not the token, is at fault. */
const TEMPORARY_CODES = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"]);

/**
 * Checks a JWT's signature against the provider's keys, its `iss`, `aud`
 * and expiry (`exp`, `nbf`). A key server that cannot be reached is a
 * `temporary-failure`; the discovery is tried again on the next token.
 *
 * @example
 * ```ts
 * import { JwtVerifier } from "@tollgate/tollgate/auth";
 * const verifier = new JwtVerifier({
 *   issuer: "https://login.example", audience: "tollgate",
 *   jwksUrl: "https://login.example/jwks",
 *   fetch: () => Promise.resolve(Response.json({ keys: [] })),
 * });
 * console.log((await verifier.verify("not-a-jwt")).kind); // "invalid"
 * ```
 */
export class JwtVerifier implements TokenVerifier {
  #options: JwtVerifierOptions;
  #fetch: typeof fetch;
  #keys: Promise<JWTVerifyGetKey> | undefined;

  /** A verifier for tokens of `options.issuer` meant for `options.audience`. */
  constructor(options: JwtVerifierOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Checks one token; never throws. */
  async verify(token: string): Promise<TokenCheck> {
    let keys: JWTVerifyGetKey;
    try {
      keys = await (this.#keys ??= this.#loadKeys());
    } catch (error) {
      this.#keys = undefined;
      return { kind: "temporary-failure", reason: `key discovery failed: ${describe(error)}` };
    }
    const { issuer, audience } = this.#options;
    try {
      const { payload } = await jwtVerify(token, keys, { issuer, audience });
      return { kind: "valid", claims: payload };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && !TEMPORARY_CODES.has(code)) {
        return { kind: "invalid", reason: code };
      }
      return { kind: "temporary-failure", reason: `key server: ${describe(error)}` };
    }
  }

  async #loadKeys(): Promise<JWTVerifyGetKey> {
    const url = this.#options.jwksUrl ?? await this.#discover();
    return createRemoteJWKSet(new URL(url), { [customFetch]: this.#fetch });
  }

  async #discover(): Promise<string> {
    const base = this.#options.issuer.replace(/\/+$/, "");
    const response = await this.#fetch(`${base}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`openid-configuration: HTTP ${response.status}`);
    const jwksUri = (await response.json() as { jwks_uri?: unknown }).jwks_uri;
    if (typeof jwksUri !== "string") throw new Error("openid-configuration has no jwks_uri");
    return jwksUri;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
