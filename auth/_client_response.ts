/**
 * Reading one client response of a SASL exchange (RFC 4954 §4).
 *
 * @module
 */
import { decodeBase64Utf8 } from "./base64.ts";

/** A client response, decoded: its text, a cancel (`*`), or garbage. */
export type ClientResponse =
  | { kind: "text"; text: string }
  | { kind: "cancelled" }
  | { kind: "malformed" };

/**
 * Reads the initial response from the AUTH line: `=` is an empty response.
 * `*` is not base64 and cannot cancel an exchange that has not started, so it
 * is malformed here.
 */
export function readInitialResponse(text: string): ClientResponse {
  if (text === "=") return { kind: "text", text: "" };
  return decode(text);
}

/** Reads a line sent in answer to a `334` challenge: `*` cancels. */
export function readContinuation(line: string): ClientResponse {
  if (line === "*") return { kind: "cancelled" };
  return decode(line);
}

/**
 * Whether a user name or password can be passed on: not empty, and no NUL,
 * which would let a client smuggle fields into a checkpassword program's input.
 */
export function isUsableField(text: string): boolean {
  return text.length > 0 && !text.includes("\0");
}

/**
 * Whether a user name can be passed on: usable, at most 255 characters, and
 * no control characters. A backend may hand the name back as the
 * authenticated user, which then appears in replies, Received headers and
 * logs: a CR LF in it would forge lines there.
 */
export function isUsableUsername(text: string): boolean {
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  return isUsableField(text) && text.length <= 255 && !/[\x00-\x1f\x7f-\x9f]/.test(text);
}

/** The error for a line fed to an exchange that is not waiting for one. */
export function notWaitingError(mechanism: string): TypeError {
  return new TypeError(`Cannot continue ${mechanism} exchange: it is not waiting for a response`);
}

/** The error for a second `start`. */
export function alreadyStartedError(mechanism: string): TypeError {
  return new TypeError(`Cannot start ${mechanism} exchange: it has already started`);
}

function decode(text: string): ClientResponse {
  const decoded = decodeBase64Utf8(text);
  return decoded === undefined ? { kind: "malformed" } : { kind: "text", text: decoded };
}
