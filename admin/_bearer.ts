/**
 * The `/api` and `/metrics` guard: hono's `bearerAuth`, which compares tokens
 * in constant time (`timingSafeEqual` over SHA-256 digests, then over the
 * strings), with every failure answered `401` in JSON.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";

const REALM = "tollgate-admin";
/** RFC 6750's `b64token`, the grammar `bearerAuth` accepts. */
const B64TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;
/** Shorter tokens are guessable; 16 characters of this alphabet are > 90 bits. */
const MIN_TOKEN_LENGTH = 16;

/**
 * Builds the middleware, which accepts any of the values of `tokens` (each
 * compared in constant time); throws a `RangeError` naming the key of a token
 * no client could send or one too short to be safe.
 *
 * A missing header or another scheme (`Basic ...`) gets a bare challenge, as
 * RFC 6750 3.1 asks; a malformed or wrong token gets `error="invalid_token"`.
 * Unlike RFC 6750's `400 invalid_request`, a malformed header is a `401` too:
 * to the client it is one failure, "send the right token".
 */
export function requireBearerToken(
  tokens: Record<string, string>,
): MiddlewareHandler {
  for (const [name, token] of Object.entries(tokens)) {
    if (!B64TOKEN.test(token) || token.length < MIN_TOKEN_LENGTH) {
      throw new RangeError(
        `Cannot create admin API: ${name} must be at least ${MIN_TOKEN_LENGTH} characters of [A-Za-z0-9._~+/-]`,
      );
    }
  }
  const challenge = `Bearer realm="${REALM}"`;
  const invalidToken = `Bearer realm="${REALM}", error="invalid_token"`;
  const unauthorized = (error: string) => (c: Context) => c.json({ error }, 401);
  return bearerAuth({
    token: Object.values(tokens),
    realm: REALM,
    noAuthenticationHeader: {
      wwwAuthenticateHeader: challenge,
      message: unauthorized("Missing bearer token"),
    },
    invalidAuthenticationHeader: {
      wwwAuthenticateHeader: (c) =>
        /^bearer /i.test(c.req.header("authorization") ?? "") ? invalidToken : challenge,
      message: unauthorized('Expected "Authorization: Bearer <token>"'),
    },
    invalidToken: {
      wwwAuthenticateHeader: invalidToken,
      message: unauthorized("Invalid bearer token"),
    },
  });
}
