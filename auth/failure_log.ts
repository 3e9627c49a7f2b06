/**
 * The one log line per failed SMTP AUTH, in a stable format that fail2ban
 * matches (`docs/fail2ban/tollgate.conf`).
 *
 * @module
 */

/**
 * The longest user name written to the log, in characters, before encoding.
 *
 * @example
 * ```ts
 * import { failureLogLine, MAX_LOGGED_USERNAME_LENGTH } from "@tollgate/tollgate/auth";
 * const username = "x".repeat(MAX_LOGGED_USERNAME_LENGTH + 100);
 * const line = failureLogLine({
 *   clientAddress: "192.0.2.1", username, mechanism: "LOGIN", time: 0,
 * });
 * console.log(MAX_LOGGED_USERNAME_LENGTH, line.includes(username)); // 256 false
 * ```
 */
export const MAX_LOGGED_USERNAME_LENGTH = 256;

const SAFE_CHARACTER = /^[A-Za-z0-9._@+:-]$/;
const encoder = new TextEncoder();

function encodeField(text: string): string {
  let encoded = "";
  for (const character of text) {
    if (SAFE_CHARACTER.test(character)) {
      encoded += character;
      continue;
    }
    for (const byte of encoder.encode(character)) {
      encoded += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
  }
  return encoded;
}

/**
 * One failed authentication, as {@linkcode failureLogLine} writes it.
 *
 * @example
 * ```ts
 * import { type AuthFailure, failureLogLine } from "@tollgate/tollgate/auth";
 * const failure: AuthFailure = {
 *   clientAddress: "192.0.2.1", username: "test@domain.de", mechanism: "PLAIN", time: 0,
 * };
 * console.log(failureLogLine(failure).includes("192.0.2.1")); // true
 * ```
 */
export interface AuthFailure {
  /** The client's IP address, as the listener reports it. */
  clientAddress: string;
  /** The user name the client sent (attacker-controlled: it is encoded). */
  username: string;
  /** The SASL mechanism: `PLAIN`, `LOGIN` or `CRAM-MD5`. */
  mechanism: string;
  /** When the check failed (ms since epoch). */
  time: number;
}

/**
 * Formats one failed authentication:
 *
 * ```text
 * 2025-01-02T03:04:05.000Z tollgate: auth failed client=192.0.2.1 user=test@domain.de mechanism=PLAIN
 * ```
 *
 * The client comes first, so nothing a client sends can move it; the user
 * name is cut to {@linkcode MAX_LOGGED_USERNAME_LENGTH} characters and every
 * character outside `A-Z a-z 0-9 . _ @ + : -` is percent-encoded as UTF-8
 * (`%20` for a space), so a user name can neither hold a space nor end the
 * line, nor forge `client=` for fail2ban. Passwords are never passed in.
 *
 * @example
 * ```ts
 * import { failureLogLine } from "@tollgate/tollgate/auth";
 * console.log(failureLogLine({
 *   clientAddress: "192.0.2.1", username: "test@domain.de client=10.0.0.1",
 *   mechanism: "PLAIN", time: 0,
 * }));
 * // 1970-01-01T00:00:00.000Z tollgate: auth failed client=192.0.2.1 user=test@domain.de%20client%3D10.0.0.1 mechanism=PLAIN
 * ```
 */
export function failureLogLine(entry: AuthFailure): string {
  const username = [...entry.username].slice(0, MAX_LOGGED_USERNAME_LENGTH).join("");
  return `${new Date(entry.time).toISOString()} tollgate: auth failed` +
    ` client=${encodeField(entry.clientAddress)} user=${encodeField(username)}` +
    ` mechanism=${encodeField(entry.mechanism)}`;
}
