/**
 * The two SASL encodings of an OAuth 2.0 bearer token: Google's and
 * Microsoft's XOAUTH2 (`user=<u>^Aauth=Bearer <token>^A^A`) and RFC 7628's
 * OAUTHBEARER (`n,a=<u>,^Aauth=Bearer <token>^A^A`, with a GS2 header), both
 * ways: the initial response a client sends, and reading it on the server.
 * On failure the server sends `334` with a base64 JSON error; the client then
 * answers with a dummy response (an empty line for XOAUTH2, `^A` for
 * OAUTHBEARER, RFC 7628 §3.2.3) and the server ends with `535` or `454`.
 *
 * @module
 */
import { decodeBase64Utf8, encodeBase64 } from "./base64.ts";

/**
 * The SASL names of the OAuth 2.0 mechanisms.
 *
 * @example
 * ```ts
 * import { oauthErrorAcknowledgement, type OAuthMechanismName } from "@tollgate/tollgate/auth";
 * const name: OAuthMechanismName = "XOAUTH2";
 * console.log(oauthErrorAcknowledgement(name)); // ""
 * ```
 */
export type OAuthMechanismName = "XOAUTH2" | "OAUTHBEARER";

/**
 * What an OAuth initial response carries.
 *
 * @example
 * ```ts
 * import { encodeOAuthResponse, type OAuthResponse } from "@tollgate/tollgate/auth";
 * const response: OAuthResponse = { user: "a@b.example", token: "t0k" };
 * console.log(atob(encodeOAuthResponse("XOAUTH2", response)));
 * // "user=a@b.example\u0001auth=Bearer t0k\u0001\u0001"
 * ```
 */
export interface OAuthResponse {
  /** The user (XOAUTH2's `user=`, OAUTHBEARER's authorization identity `a=`). */
  user: string;
  /** The bearer token. */
  token: string;
}

/** RFC 5801's saslname: `=` and `,` escaped as `=3D` and `=2C`. */
function encodeSaslName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

function decodeSaslName(text: string): string | undefined {
  if (/=(?!3D|2C)/.test(text)) return undefined;
  return text.replaceAll("=2C", ",").replaceAll("=3D", "=");
}

/**
 * The initial response (base64) for `AUTH XOAUTH2` or `AUTH OAUTHBEARER`.
 *
 * @throws {TypeError} If the user or token contains a control character.
 *
 * @example
 * ```ts
 * import { encodeOAuthResponse } from "@tollgate/tollgate/auth";
 * console.log(atob(encodeOAuthResponse("XOAUTH2", { user: "a@b.example", token: "t0k" })));
 * // "user=a@b.example\u0001auth=Bearer t0k\u0001\u0001"
 * ```
 */
export function encodeOAuthResponse(name: OAuthMechanismName, response: OAuthResponse): string {
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(response.user + response.token)) {
    throw new TypeError(`Cannot encode ${name}: a control character in the user or token`);
  }
  const head = name === "XOAUTH2"
    ? `user=${response.user}`
    : `n,a=${encodeSaslName(response.user)},`;
  return encodeBase64(`${head}\x01auth=Bearer ${response.token}\x01\x01`);
}

/**
 * Reads an XOAUTH2 or OAUTHBEARER initial response (base64); `undefined` if
 * it is not one (no user, no bearer token, bad base64 or GS2 header).
 *
 * @example
 * ```ts
 * import { decodeOAuthResponse, encodeOAuthResponse } from "@tollgate/tollgate/auth";
 * const text = encodeOAuthResponse("OAUTHBEARER", { user: "a,b@c.example", token: "t" });
 * console.log(decodeOAuthResponse("OAUTHBEARER", text)); // { user: "a,b@c.example", token: "t" }
 * ```
 */
export function decodeOAuthResponse(
  name: OAuthMechanismName,
  base64: string,
): OAuthResponse | undefined {
  const text = decodeBase64Utf8(base64);
  const response = text === undefined ? undefined : readOAuthMessage(name, text);
  return response?.user === "" ? undefined : response;
}

/**
 * Reads a decoded XOAUTH2 or OAUTHBEARER message; `undefined` if it is not
 * one (no bearer token, no XOAUTH2 user, a bad GS2 header). OAUTHBEARER may
 * leave the authorization identity out (`n,,`, RFC 7628 §3.1): `user` is then
 * empty.
 *
 * @example
 * ```ts
 * import { readOAuthMessage } from "@tollgate/tollgate/auth";
 * console.log(readOAuthMessage("OAUTHBEARER", "n,,\x01auth=Bearer t0k\x01\x01"));
 * // { user: "", token: "t0k" }
 * ```
 */
export function readOAuthMessage(
  name: OAuthMechanismName,
  text: string,
): OAuthResponse | undefined {
  const [head, ...fields] = text.split("\x01");
  let user: string | undefined;
  if (name === "XOAUTH2") {
    fields.unshift(head);
  } else {
    const gs2 = /^[ny],(?:a=([^,]*))?,$/.exec(head);
    if (gs2 === null) return undefined;
    user = gs2[1] === undefined ? "" : decodeSaslName(gs2[1]);
  }
  let token: string | undefined;
  for (const field of fields) {
    const equals = field.indexOf("=");
    if (equals < 0) continue;
    const key = field.slice(0, equals).toLowerCase();
    const value = field.slice(equals + 1);
    if (key === "user" && name === "XOAUTH2") user = value;
    if (key === "auth") token = /^bearer +(\S+)$/i.exec(value)?.[1];
  }
  if (user === undefined || (user === "" && name === "XOAUTH2") || token === undefined) {
    return undefined;
  }
  return { user, token };
}

/**
 * The client's dummy answer to the server's `334` error challenge: an empty
 * line for XOAUTH2, a single `^A` (base64 `AQ==`) for OAUTHBEARER.
 *
 * @example
 * ```ts
 * import { oauthErrorAcknowledgement } from "@tollgate/tollgate/auth";
 * console.log(oauthErrorAcknowledgement("OAUTHBEARER")); // "AQ=="
 * ```
 */
export function oauthErrorAcknowledgement(name: OAuthMechanismName): string {
  return name === "XOAUTH2" ? "" : encodeBase64("\x01");
}
