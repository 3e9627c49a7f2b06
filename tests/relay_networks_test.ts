import { equal, throws } from "node:assert/strict";
import { isAddressInNetworks, normalizeCidr } from "../relay/networks.ts";

Deno.test("normalizeCidr returns the canonical form", () => {
  const cases: [string, string][] = [
    ["192.0.2.0/24", "192.0.2.0/24"],
    ["192.0.2.7", "192.0.2.7/32"],
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["127.0.0.1/32", "127.0.0.1/32"],
    ["2001:db8::/32", "2001:db8::/32"],
    ["2001:DB8:0:0::/32", "2001:db8::/32"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1/128"],
    ["::1", "::1/128"],
    ["fe80::/10", "fe80::/10"],
    ["::ffff:192.0.2.0/120", "192.0.2.0/24"],
    ["::ffff:c000:0200/120", "192.0.2.0/24"],
    ["::ffff:192.0.2.1", "192.0.2.1/32"],
    ["::1.2.3.4", "::102:304/128"],
    ["128.0.0.0/1", "128.0.0.0/1"],
  ];
  for (const [input, expected] of cases) {
    equal(normalizeCidr(input), expected, input);
  }
});

Deno.test("normalizeCidr rejects what is not a network, saying why", () => {
  const cases: [string, string][] = [
    ["", 'Cannot parse network: not an IPv4 or IPv6 address in ""'],
    [
      "192.0.2.1/24",
      'Cannot parse network: host bits set in "192.0.2.1/24", did you mean 192.0.2.0/24?',
    ],
    [
      "2001:db8::1/32",
      'Cannot parse network: host bits set in "2001:db8::1/32", did you mean 2001:db8::/32?',
    ],
    [
      "0.0.0.0/0",
      'Cannot parse network: a prefix that covers every address (an open relay) in "0.0.0.0/0"',
    ],
    ["::/0", 'Cannot parse network: a prefix that covers every address (an open relay) in "::/0"'],
    [
      "::ffff:0.0.0.0/96",
      'Cannot parse network: a prefix that covers every address (an open relay) in "::ffff:0.0.0.0/96"',
    ],
    ["192.0.2.0/33", 'Cannot parse network: a prefix length that is not 0 to 32 in "192.0.2.0/33"'],
    [
      "2001:db8::/129",
      'Cannot parse network: a prefix length that is not 0 to 128 in "2001:db8::/129"',
    ],
    [
      "192.0.2.0/024",
      'Cannot parse network: a prefix length that is not 0 to 32 in "192.0.2.0/024"',
    ],
    ["192.0.2.0/", 'Cannot parse network: a prefix length that is not 0 to 32 in "192.0.2.0/"'],
    [
      "192.0.2.0/+24",
      'Cannot parse network: a prefix length that is not 0 to 32 in "192.0.2.0/+24"',
    ],
    ["192.0.2.0/24/8", 'Cannot parse network: more than one / in "192.0.2.0/24/8"'],
    ["fe80::/10%eth0", 'Cannot parse network: a zone id in "fe80::/10%eth0"'],
    ["127.1", 'Cannot parse network: not an IPv4 or IPv6 address in "127.1"'],
    ["2130706433", 'Cannot parse network: not an IPv4 or IPv6 address in "2130706433"'],
    ["0x7f.0.0.1", 'Cannot parse network: not an IPv4 or IPv6 address in "0x7f.0.0.1"'],
    ["010.0.0.1", 'Cannot parse network: not an IPv4 or IPv6 address in "010.0.0.1"'],
    ["256.0.0.0/8", 'Cannot parse network: not an IPv4 or IPv6 address in "256.0.0.0/8"'],
    [" 192.0.2.0/24", 'Cannot parse network: not an IPv4 or IPv6 address in " 192.0.2.0/24"'],
    ["::ffff:010.0.0.1", 'Cannot parse network: not an IPv4 or IPv6 address in "::ffff:010.0.0.1"'],
    ["1::2::3", 'Cannot parse network: not an IPv4 or IPv6 address in "1::2::3"'],
    ["::10000", 'Cannot parse network: not an IPv4 or IPv6 address in "::10000"'],
    ["example.com", 'Cannot parse network: not an IPv4 or IPv6 address in "example.com"'],
    ["[::1]", 'Cannot parse network: not an IPv4 or IPv6 address in "[::1]"'],
  ];
  for (const [input, message] of cases) {
    throws(() => normalizeCidr(input), new RangeError(message), input);
  }
});

Deno.test("isAddressInNetworks matches IPv4, IPv6 and IPv4-mapped clients", () => {
  const networks = ["192.0.2.0/24", "198.51.100.7/32", "2001:db8::/32", "fe80::/10"];
  const cases: [string, boolean][] = [
    ["192.0.2.0", true],
    ["192.0.2.255", true],
    ["192.0.3.0", false],
    ["198.51.100.7", true],
    ["198.51.100.8", false],
    ["::ffff:192.0.2.1", true],
    ["::FFFF:C000:0201", true],
    ["::ffff:192.0.3.1", false],
    ["2001:db8::25", true],
    ["2001:DB8:FFFF::1", true],
    ["2001:db9::1", false],
    ["fe80::1%eth0", true],
    ["fe80::1%25", true],
    ["127.0.0.1", false],
    ["::1", false],
    ["0.0.0.0", false],
    ["::", false],
    ["", false],
    ["not an address", false],
    ["192.0.2", false],
    ["3221225985", false],
    ["0xc0.0.2.1", false],
    ["[2001:db8::25]", false],
  ];
  for (const [address, expected] of cases) {
    equal(isAddressInNetworks(address, networks), expected, address);
  }
});

Deno.test("isAddressInNetworks: IPv4 and IPv6 networks never cover each other's family", () => {
  equal(isAddressInNetworks("192.0.2.1", ["::ffff:0:0/95"]), false);
  equal(isAddressInNetworks("192.0.2.1", ["::/1"]), false);
  equal(isAddressInNetworks("2001:db8::1", ["0.0.0.0/1", "128.0.0.0/1"]), false);
  equal(isAddressInNetworks("192.0.2.1", ["::ffff:192.0.2.0/120"]), true);
});

Deno.test("isAddressInNetworks: loopback is trusted only when listed", () => {
  equal(isAddressInNetworks("127.0.0.1", []), false);
  equal(isAddressInNetworks("::1", ["127.0.0.0/8"]), false);
  equal(isAddressInNetworks("127.0.0.1", ["127.0.0.0/8"]), true);
  equal(isAddressInNetworks("::1", ["::1/128"]), true);
  equal(isAddressInNetworks("::ffff:127.0.0.1", ["127.0.0.0/8"]), true);
});

Deno.test("isAddressInNetworks ignores entries normalizeCidr would reject", () => {
  const rejected = ["0.0.0.0/0", "::/0", "192.0.2.1/24", "garbage", "127.1/8", "10.0.0.0/33"];
  for (const entry of rejected) {
    throws(() => normalizeCidr(entry), RangeError, entry);
  }
  for (const address of ["192.0.2.1", "127.0.0.1", "203.0.113.9", "2001:db8::1"]) {
    equal(isAddressInNetworks(address, rejected), false, address);
  }
  equal(isAddressInNetworks("192.0.2.1", [...rejected, "192.0.2.0/24"]), true);
});

Deno.test("isAddressInNetworks accepts any iterable of networks", () => {
  function* networks() {
    yield "10.0.0.0/8";
    yield "192.0.2.0/24";
  }
  equal(isAddressInNetworks("192.0.2.3", networks()), true);
  equal(isAddressInNetworks("192.0.2.3", new Set(["192.0.2.0/24"])), true);
});
