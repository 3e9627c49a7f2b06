/**
 * Which clients count as one for rate limits: an IPv4 address alone, an IPv6
 * address with the rest of its /64.
 *
 * @module
 */

import ipaddr from "ipaddr.js";

/**
 * The rate-limit key of a client address.
 *
 * - IPv4: the address itself, canonical (`192.0.2.1`); an IPv4-mapped IPv6
 *   address (`::ffff:192.0.2.1`) is that IPv4 address.
 * - IPv6: its /64 (`2001:db8:1:2::/64`): one subscriber or host usually holds
 *   a whole /64 (RFC 6177), so limiting single addresses would limit nothing.
 * - Anything else (a Unix socket path, `unknown`): the text itself, lower-cased.
 *
 * @example
 * ```ts
 * import { clientGroup } from "@tollgate/tollgate/auth";
 * console.log(clientGroup("2001:DB8:1:2:aaaa::1")); // "2001:db8:1:2::/64"
 * console.log(clientGroup("::ffff:192.0.2.7")); // "192.0.2.7"
 * ```
 */
export function clientGroup(clientAddress: string): string {
  const text = clientAddress.startsWith("[") && clientAddress.endsWith("]")
    ? clientAddress.slice(1, -1)
    : clientAddress;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text).toString();
  if (!ipaddr.IPv6.isValid(text)) return text.toLowerCase();
  const address = ipaddr.IPv6.parse(text);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  const parts = address.parts.slice(0, 4).concat([0, 0, 0, 0]);
  return `${new ipaddr.IPv6(parts).toString()}/64`;
}
