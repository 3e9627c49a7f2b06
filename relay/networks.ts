/**
 * Client networks that may relay without AUTH (qmail's `RELAYCLIENT` rules in
 * `tcp.smtp`), as CIDR blocks, and the test of a client address against them.
 *
 * Parsing is strict: IPv4 only in four-part decimal without leading zeros
 * (`ipaddr.js` alone would also read `127.1`, `0x7f.0.0.1` and octal `010.0.0.1`),
 * IPv6 in any RFC 4291 text form. An IPv4 address written as IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`) is the IPv4 address: it matches IPv4 networks only,
 * and an IPv6 network covers native IPv6 addresses only.
 *
 * @module
 */

import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

type ParsedNetwork =
  | { kind: "network"; address: Address; prefixLength: number }
  | { kind: "invalid"; reason: string; hint?: string };

const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const STRICT_IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const IPV6_CHARACTERS = /^[0-9a-f:.]+$/i;
const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;
/** `::a.b.c.d` (RFC 4291 "IPv4-compatible"), which `ipaddr.js` misreads as `::ffff:a.b.c.d`. */
const IPV4_COMPATIBLE = /^::[0-9]*\.[0-9.]*$/;

function parseStrictAddress(text: string): Address | undefined {
  if (STRICT_IPV4.test(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes(":") || !IPV6_CHARACTERS.test(text)) return undefined;
  const embeddedIpv4 = text.slice(text.lastIndexOf(":") + 1);
  if (embeddedIpv4.includes(".") && !STRICT_IPV4.test(embeddedIpv4)) return undefined;
  const ipv6Text = IPV4_COMPATIBLE.test(text) ? `0${text}` : text;
  return ipaddr.IPv6.isValid(ipv6Text) ? ipaddr.IPv6.parse(ipv6Text) : undefined;
}

function unmapIpv4(address: Address): Address {
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

function maskToPrefix(address: Address, prefixLength: number): Address {
  const bytes = address.toByteArray().map((byte, index) => {
    const bitsKept = Math.min(8, Math.max(0, prefixLength - 8 * index));
    return byte & (0xff << (8 - bitsKept)) & 0xff;
  });
  return ipaddr.fromByteArray(bytes);
}

function parseNetwork(text: string): ParsedNetwork {
  if (text.includes("%")) return { kind: "invalid", reason: "a zone id" };
  const [addressText, prefixText, ...rest] = text.split("/");
  if (rest.length > 0) return { kind: "invalid", reason: "more than one /" };
  const parsed = parseStrictAddress(addressText);
  if (parsed === undefined) return { kind: "invalid", reason: "not an IPv4 or IPv6 address" };
  const maxLength = parsed.kind() === "ipv4" ? 32 : 128;
  const prefixLength = prefixText === undefined ? maxLength : Number(prefixText);
  if (prefixText !== undefined && (!PREFIX_LENGTH.test(prefixText) || prefixLength > maxLength)) {
    return { kind: "invalid", reason: `a prefix length that is not 0 to ${maxLength}` };
  }
  const isMappedRange = parsed.kind() === "ipv6" && prefixLength >= 96 &&
    (parsed as ipaddr.IPv6).isIPv4MappedAddress();
  const address = isMappedRange ? unmapIpv4(parsed) : parsed;
  const length = isMappedRange ? prefixLength - 96 : prefixLength;
  if (length === 0) {
    return { kind: "invalid", reason: "a prefix that covers every address (an open relay)" };
  }
  const network = maskToPrefix(address, length);
  if (network.toString() !== address.toString()) {
    return { kind: "invalid", reason: "host bits set", hint: `did you mean ${network}/${length}?` };
  }
  return { kind: "network", address, prefixLength: length };
}

/**
 * Validates a network and returns its canonical CIDR form.
 *
 * Accepts `192.0.2.0/24`, `2001:db8::/32`, and a bare address, which means a
 * single host (`/32` or `/128`). IPv6 comes back in RFC 5952 form; an
 * IPv4-mapped range (`::ffff:192.0.2.0/120`) comes back as IPv4 (`192.0.2.0/24`).
 *
 * Decisions: a network with host bits set (`192.0.2.1/24`) is rejected rather
 * than silently masked as Postfix does, because it usually means a typo in
 * either half. A `/0` (every address) is rejected: it would make the server an
 * open relay, and relaying for everyone is never what an operator wants;
 * clients outside the listed networks can still relay after AUTH.
 *
 * @param text The network as the operator wrote it.
 * @returns The canonical form, such as `192.0.2.0/24` or `2001:db8::/32`.
 * @throws {RangeError} If the text is not a network, has host bits set or is a `/0`.
 *
 * @example
 * ```ts
 * import { normalizeCidr } from "@tollgate/tollgate/relay";
 * console.log(normalizeCidr("2001:DB8:0::/32")); // "2001:db8::/32"
 * console.log(normalizeCidr("192.0.2.7")); // "192.0.2.7/32"
 * ```
 */
export function normalizeCidr(text: string): string {
  const parsed = parseNetwork(text);
  if (parsed.kind === "invalid") {
    const hint = parsed.hint === undefined ? "" : `, ${parsed.hint}`;
    throw new RangeError(`Cannot parse network: ${parsed.reason} in "${text}"${hint}`);
  }
  return `${parsed.address}/${parsed.prefixLength}`;
}

/**
 * Whether a client address lies in one of the networks.
 *
 * Handles IPv4, IPv6 and IPv4-mapped IPv6 (`::ffff:192.0.2.1` matches
 * `192.0.2.0/24`); an IPv6 zone id (`fe80::1%eth0`) is ignored. An address
 * that does not parse matches nothing, and so does a network entry that
 * {@linkcode normalizeCidr} would reject (so a `/0` smuggled into a store is
 * no open relay). Loopback is not trusted unless a listed network contains it.
 *
 * @param address The client's IP address, as the listener reports it.
 * @param cidrs The networks, normally in the form {@linkcode normalizeCidr} returns.
 * @returns Whether some network contains the address.
 *
 * @example
 * ```ts
 * import { isAddressInNetworks } from "@tollgate/tollgate/relay";
 * console.log(isAddressInNetworks("::ffff:192.0.2.9", ["192.0.2.0/24"])); // true
 * console.log(isAddressInNetworks("127.0.0.1", [])); // false
 * ```
 */
export function isAddressInNetworks(address: string, cidrs: Iterable<string>): boolean {
  const zoneStart = address.indexOf("%");
  const parsed = parseStrictAddress(zoneStart < 0 ? address : address.slice(0, zoneStart));
  if (parsed === undefined) return false;
  const client = unmapIpv4(parsed);
  for (const cidr of cidrs) {
    const network = parseNetwork(cidr);
    if (
      network.kind === "network" && network.address.kind() === client.kind() &&
      client.match(network.address, network.prefixLength)
    ) {
      return true;
    }
  }
  return false;
}
