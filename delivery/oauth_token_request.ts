/**
 * One OAuth 2.0 token request (RFC 6749 §4.4 client credentials, §6 refresh
 * token) and what its answer means for delivery: a token, a temporary failure
 * (the network, a `5xx`, `429`: try again later) or a broken route (an RFC 6749
 * error such as `invalid_grant` or `invalid_client`: the credentials are wrong
 * and retrying will not help). No secret ever appears in a result.
 *
 * @module
 */
import type { RouteOAuth2 } from "../store/types.ts";

/**
 * What a token request gave.
 *
 * @example
 * ```ts
 * import { requestToken, type TokenRequestResult } from "@tollgate/tollgate/delivery";
 * const result: TokenRequestResult = await requestToken({
 *   mechanism: "xoauth2", tokenUrl: "https://idp.example/token", clientId: "id", clientSecret: "s",
 * }, {
 *   fetch: () => Promise.resolve(Response.json({ access_token: "t0k", expires_in: 3600 })),
 *   timeoutMs: 1000,
 * });
 * if (result.kind === "token") console.log(result.expiresIn); // 3600
 * ```
 */
export type TokenRequestResult =
  | {
    kind: "token";
    /** The access token (a secret: never log it). */
    accessToken: string;
    /** Its lifetime in seconds as the server said (`expires_in`), or the default. */
    expiresIn: number;
    /** A new refresh token, when the server rotated it. */
    refreshToken?: string;
  }
  | { kind: "temporary"; /** Why, for the log and the queue. */ reason: string }
  | { kind: "broken"; /** Why, for the log and the queue. */ reason: string };

/**
 * The `fetch` the request uses (the global one by default).
 *
 * @example
 * ```ts
 * import { type Fetch, requestToken } from "@tollgate/tollgate/delivery";
 * const fakeFetch: Fetch = () =>
 *   Promise.resolve(Response.json({ access_token: "t0k", expires_in: 3600 }));
 * const result = await requestToken({
 *   mechanism: "xoauth2", tokenUrl: "https://idp.example/token", clientId: "id", clientSecret: "s",
 * }, { fetch: fakeFetch, timeoutMs: 1000 });
 * console.log(result.kind); // "token"
 * ```
 */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/**
 * When the server names no lifetime: assume a short one rather than the usual hour.
 *
 * @example
 * ```ts
 * import { DEFAULT_TOKEN_LIFETIME_S, requestToken } from "@tollgate/tollgate/delivery";
 * const result = await requestToken({
 *   mechanism: "xoauth2", tokenUrl: "https://idp.example/token", clientId: "id", clientSecret: "s",
 * }, { fetch: () => Promise.resolve(Response.json({ access_token: "t0k" })), timeoutMs: 1000 });
 * // The server named no `expires_in`:
 * if (result.kind === "token") console.log(result.expiresIn === DEFAULT_TOKEN_LIFETIME_S); // true
 * ```
 */
export const DEFAULT_TOKEN_LIFETIME_S = 600;

const MAX_DETAIL = 200;

/**
 * The grant a route uses: refresh token when it has one, else client credentials.
 *
 * @example
 * ```ts
 * import { grantOf } from "@tollgate/tollgate/delivery";
 * console.log(grantOf({
 *   mechanism: "xoauth2", tokenUrl: "https://idp.example/token", clientId: "id", clientSecret: "s",
 * })); // "client_credentials"
 * ```
 */
export function grantOf(oauth2: RouteOAuth2): "refresh_token" | "client_credentials" {
  return oauth2.refreshToken === undefined ? "client_credentials" : "refresh_token";
}

function formBody(oauth2: RouteOAuth2): string {
  const form = new URLSearchParams({ grant_type: grantOf(oauth2) });
  if (oauth2.refreshToken !== undefined) form.set("refresh_token", oauth2.refreshToken);
  if (oauth2.scope !== undefined) form.set("scope", oauth2.scope);
  form.set("client_id", oauth2.clientId);
  form.set("client_secret", oauth2.clientSecret);
  return form.toString();
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL)}...` : flat;
}

function describeError(body: Record<string, unknown>): string | undefined {
  if (typeof body.error !== "string") return undefined;
  const description = typeof body.error_description === "string"
    ? ` (${clip(body.error_description)})`
    : "";
  return `${clip(body.error)}${description}`;
}

/**
 * Asks the route's token endpoint for an access token, with the secrets in
 * the form body (`client_secret_post`, which Microsoft and Google accept).
 * Never throws.
 *
 * @example
 * ```ts
 * import { requestToken } from "@tollgate/tollgate/delivery";
 * const fakeFetch = () =>
 *   Promise.resolve(Response.json({ access_token: "ya29.x", token_type: "Bearer", expires_in: 3599 }));
 * const result = await requestToken({
 *   mechanism: "xoauth2", tokenUrl: "https://oauth2.googleapis.com/token",
 *   clientId: "id", clientSecret: "secret", refreshToken: "1//r",
 * }, { fetch: fakeFetch, timeoutMs: 1000 });
 * console.log(result.kind); // "token"
 * ```
 */
export async function requestToken(
  oauth2: RouteOAuth2,
  options: { fetch: Fetch; timeoutMs: number },
): Promise<TokenRequestResult> {
  const where = `the token endpoint ${new URL(oauth2.tokenUrl).origin}`;
  let response: Response;
  try {
    response = await options.fetch(oauth2.tokenUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: formBody(oauth2),
      redirect: "error",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { kind: "temporary", reason: `cannot reach ${where}: ${clip(why)}` };
  }
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await response.json();
    if (parsed !== null && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: judged by the status alone
  }
  const status = response.status;
  if (status >= 500 || status === 429 || status === 408) {
    return { kind: "temporary", reason: `${where} answered ${status}, try again later` };
  }
  if (status !== 200) {
    const error = describeError(body) ?? `no RFC 6749 error`;
    return {
      kind: "broken",
      reason: `${where} refused the ${grantOf(oauth2)} grant: ${status} ${error}`,
    };
  }
  const { access_token: accessToken, token_type: type, expires_in: expiresIn } = body;
  if (typeof accessToken !== "string" || accessToken === "" || /\s/.test(accessToken)) {
    return { kind: "temporary", reason: `${where} answered 200 without an access_token` };
  }
  if (typeof type === "string" && type.toLowerCase() !== "bearer") {
    return {
      kind: "broken",
      reason: `${where} issued a "${clip(type)}" token, not a bearer token`,
    };
  }
  const seconds = Number(expiresIn);
  const result: TokenRequestResult = {
    kind: "token",
    accessToken,
    expiresIn: Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TOKEN_LIFETIME_S,
  };
  if (typeof body.refresh_token === "string" && body.refresh_token !== "") {
    result.refreshToken = body.refresh_token;
  }
  return result;
}
