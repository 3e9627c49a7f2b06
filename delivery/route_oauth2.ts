/**
 * Validating a route's OAuth 2.0 client ({@linkcode RouteOAuth2}): the
 * mechanism, a token endpoint that is https (or http on loopback, for a test
 * server), and secrets that are neither empty nor huge. The words never quote
 * a secret.
 *
 * @module
 */
import { copyOAuth2 } from "../store/route_record.ts";
import type { OAuthMechanism, RouteOAuth2 } from "../store/types.ts";

/**
 * The mechanisms an OAuth route may use.
 *
 * @example
 * ```ts
 * import { OAUTH_MECHANISMS } from "@tollgate/tollgate/delivery";
 * console.log(OAUTH_MECHANISMS); // ["xoauth2", "oauthbearer"]
 * console.log(OAUTH_MECHANISMS.map((name) => name.toUpperCase())); // ["XOAUTH2", "OAUTHBEARER"]
 * ```
 */
export const OAUTH_MECHANISMS: readonly OAuthMechanism[] = ["xoauth2", "oauthbearer"];

/**
 * Refresh tokens and client secrets are far shorter; longer text only costs memory.
 *
 * @example
 * ```ts
 * import { checkRouteOAuth2, MAX_OAUTH_FIELD_LENGTH } from "@tollgate/tollgate/delivery";
 * try {
 *   checkRouteOAuth2({ mechanism: "xoauth2", tokenUrl: "https://idp.example/token", clientId: "id",
 *     clientSecret: "s".repeat(MAX_OAUTH_FIELD_LENGTH + 1) });
 * } catch (error) {
 *   console.log(error instanceof RangeError); // true
 * }
 * ```
 */
export const MAX_OAUTH_FIELD_LENGTH = 4096;

function routeError(reason: string): RangeError {
  return new RangeError(`Cannot parse route: ${reason}`);
}

function checkField(name: string, value: string | undefined, required: boolean): void {
  if (value === undefined) {
    if (required) throw routeError(`the OAuth 2.0 ${name} is missing`);
    return;
  }
  if (value === "") throw routeError(`the OAuth 2.0 ${name} is empty`);
  if (value.length > MAX_OAUTH_FIELD_LENGTH) {
    throw routeError(`the OAuth 2.0 ${name} is longer than ${MAX_OAUTH_FIELD_LENGTH} characters`);
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw routeError(`the OAuth 2.0 ${name} contains a control character`);
  }
}

/** Whether a URL's host is a loopback address or `localhost`. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Checks an OAuth 2.0 client and returns a copy with only its known fields.
 *
 * @throws {RangeError} Saying what is wrong (never quoting a secret).
 *
 * @example
 * ```ts
 * import { checkRouteOAuth2 } from "@tollgate/tollgate/delivery";
 * const oauth2 = checkRouteOAuth2({
 *   mechanism: "xoauth2", tokenUrl: "https://oauth2.googleapis.com/token",
 *   clientId: "id", clientSecret: "secret", refreshToken: "1//token",
 *   scope: "https://mail.google.com/",
 * });
 * console.log(oauth2.mechanism); // "xoauth2"
 * ```
 */
export function checkRouteOAuth2(oauth2: RouteOAuth2): RouteOAuth2 {
  if (!OAUTH_MECHANISMS.includes(oauth2.mechanism)) {
    throw routeError(
      `unknown OAuth 2.0 mechanism "${oauth2.mechanism}" (known: ${OAUTH_MECHANISMS.join(", ")})`,
    );
  }
  checkField("token URL", oauth2.tokenUrl, true);
  let url: URL;
  try {
    url = new URL(oauth2.tokenUrl);
  } catch {
    throw routeError(`the OAuth 2.0 token URL "${oauth2.tokenUrl}" is not a URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw routeError("the OAuth 2.0 token URL must be https (http only on loopback)");
  }
  if (url.username !== "" || url.password !== "") {
    throw routeError("the OAuth 2.0 token URL must not carry credentials");
  }
  checkField("client id", oauth2.clientId, true);
  checkField("client secret", oauth2.clientSecret, true);
  checkField("refresh token", oauth2.refreshToken, false);
  checkField("scope", oauth2.scope, false);
  return copyOAuth2(oauth2);
}

/**
 * The rules for an OAuth route's other fields: the mailbox as `username`, and
 * neither a password nor a mechanism list (the mechanism is the OAuth one).
 *
 * @throws {RangeError} If a rule is broken.
 *
 * @example
 * ```ts
 * import { checkOAuthRouteFields } from "@tollgate/tollgate/delivery";
 * checkOAuthRouteFields({ username: "mailbox@contoso.example" }); // no error
 * ```
 */
export function checkOAuthRouteFields(
  fields: { username?: string; password?: string; mechanisms?: unknown[] },
): void {
  if (fields.username === undefined) {
    throw routeError("OAuth 2.0 needs the user (the mailbox the token is for)");
  }
  if (fields.password !== undefined) throw routeError("OAuth 2.0 and a password together");
  if (fields.mechanisms !== undefined) {
    throw routeError("OAuth 2.0 routes name their mechanism in auth.mechanism, not mechanisms");
  }
}
