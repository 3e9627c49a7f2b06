/**
 * The admin API's check of a user address (the SMTP AUTH user name).
 *
 * @module
 */

import { normalizeDomainEntry } from "../relay/local_domains.ts";

/** RFC 5321 4.5.3.1.3: a path is at most 256 octets, 254 without the brackets. */
const MAX_ADDRESS_LENGTH = 254;
/** RFC 5321 4.5.3.1.1: a local part is at most 64 octets. */
const MAX_LOCAL_PART_LENGTH = 64;
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;

/**
 * Checks a user address and returns it in lower case.
 *
 * A deliberately simple check, not RFC 5322: the address splits at its last
 * `@` into a local part and a domain; the local part is 1 to 64 characters
 * with no whitespace or control character; the domain passes
 * `normalizeDomainEntry` (`relay/local_domains.ts`) and does not start with
 * `.` (that form is a wildcard entry, not a domain); the whole address is at
 * most 254 characters.
 *
 * @throws {RangeError} naming what is wrong, e.g. "Cannot parse address: missing '@'".
 *
 * @example
 * ```ts
 * import { normalizeUserAddress } from "@tollgate/tollgate/admin";
 * console.log(normalizeUserAddress("Test@Domain.DE")); // "test@domain.de"
 * ```
 */
export function normalizeUserAddress(text: string): string {
  if (text.length > MAX_ADDRESS_LENGTH) {
    throw new RangeError(
      `Cannot parse address: longer than ${MAX_ADDRESS_LENGTH} characters`,
    );
  }
  const at = text.lastIndexOf("@");
  if (at === -1) throw new RangeError("Cannot parse address: missing '@'");
  const localPart = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (localPart.length === 0) throw new RangeError("Cannot parse address: empty local part");
  if (localPart.length > MAX_LOCAL_PART_LENGTH) {
    throw new RangeError(
      `Cannot parse address: local part longer than ${MAX_LOCAL_PART_LENGTH} characters`,
    );
  }
  if (WHITESPACE_OR_CONTROL.test(localPart)) {
    throw new RangeError("Cannot parse address: whitespace or control character in local part");
  }
  if (domain.startsWith(".")) {
    throw new RangeError("Cannot parse address: domain starts with '.'");
  }
  return `${localPart.toLowerCase()}@${normalizeDomainEntry(domain)}`;
}
