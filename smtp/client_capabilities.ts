/**
 * What a server's EHLO reply offers (RFC 5321 §4.1.1.1), as the outbound client reads it.
 *
 * @module
 */

/**
 * The extensions the client acts on; everything else is kept in `keywords`.
 *
 * @example
 * ```ts
 * import type { ServerCapabilities } from "@tollgate/tollgate/smtp";
 * const capabilities: ServerCapabilities = {
 *   pipelining: true, startTls: true, eightBitMime: true, size: 10240000,
 *   auth: ["PLAIN", "LOGIN"], keywords: ["PIPELINING", "STARTTLS", "8BITMIME", "SIZE", "AUTH"],
 * };
 * console.log(capabilities.auth.includes("PLAIN")); // true
 * ```
 */
export interface ServerCapabilities {
  /** RFC 2920: commands may be sent in groups. */
  pipelining: boolean;
  /** RFC 3207. */
  startTls: boolean;
  /** RFC 6152: `BODY=8BITMIME` is understood. */
  eightBitMime: boolean;
  /** RFC 1870: the largest message accepted; `0` means "no fixed limit", absent: no SIZE. */
  size?: number;
  /** RFC 4954: the SASL mechanisms offered, upper-case, from `AUTH` and the old `AUTH=`. */
  auth: string[];
  /** Every keyword offered, upper-case, in order. */
  keywords: string[];
}

/**
 * The capabilities of a server greeted with HELO, or one whose EHLO reply offers nothing.
 *
 * @example
 * ```ts
 * import { NO_CAPABILITIES, type ServerCapabilities } from "@tollgate/tollgate/smtp";
 * const afterHelo: ServerCapabilities = NO_CAPABILITIES; // HELO: no extensions at all
 * console.log(afterHelo.pipelining, afterHelo.auth); // false []
 * ```
 */
export const NO_CAPABILITIES: ServerCapabilities = {
  pipelining: false,
  startTls: false,
  eightBitMime: false,
  auth: [],
  keywords: [],
};

/**
 * Reads the lines of a `250` reply to EHLO; the first line is the server's
 * greeting, each further line a keyword and its parameters.
 *
 * @example
 * ```ts
 * import { parseCapabilities } from "@tollgate/tollgate/smtp";
 * const caps = parseCapabilities([
 *   "mail.domain.de", "AUTH LOGIN CRAM-MD5 PLAIN", "AUTH=LOGIN CRAM-MD5 PLAIN",
 *   "PIPELINING", "SIZE 10240000", "8BITMIME",
 * ]);
 * console.log(caps.auth, caps.size, caps.pipelining); // ["LOGIN", "CRAM-MD5", "PLAIN"] 10240000 true
 * ```
 */
export function parseCapabilities(lines: readonly string[]): ServerCapabilities {
  const caps: ServerCapabilities = { ...NO_CAPABILITIES, auth: [], keywords: [] };
  for (const line of lines.slice(1)) {
    const [first = "", ...params] = line.trim().split(/\s+/);
    const equals = first.indexOf("=");
    // The pre-RFC form `AUTH=LOGIN PLAIN` puts the first mechanism after "=".
    const keyword = (equals < 0 ? first : first.slice(0, equals)).toUpperCase();
    if (equals >= 0 && first.length > equals + 1) params.unshift(first.slice(equals + 1));
    if (keyword === "" || caps.keywords.includes(keyword)) {
      if (keyword === "AUTH") addMechanisms(caps.auth, params);
      continue;
    }
    caps.keywords.push(keyword);
    switch (keyword) {
      case "PIPELINING":
        caps.pipelining = true;
        break;
      case "STARTTLS":
        caps.startTls = true;
        break;
      case "8BITMIME":
        caps.eightBitMime = true;
        break;
      case "SIZE": {
        const limit = Number(params[0] ?? "0");
        caps.size = Number.isSafeInteger(limit) && limit >= 0 ? limit : 0;
        break;
      }
      case "AUTH":
        addMechanisms(caps.auth, params);
        break;
    }
  }
  return caps;
}

function addMechanisms(into: string[], params: readonly string[]): void {
  for (const param of params) {
    const name = param.toUpperCase();
    if (!into.includes(name)) into.push(name);
  }
}
