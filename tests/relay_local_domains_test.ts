import { deepEqual, equal, throws } from "node:assert/strict";
import {
  domainCandidates,
  isLocalDomain,
  normalizeDomainEntry,
  normalizeRecipientDomain,
} from "../relay/local_domains.ts";

Deno.test("normalizeDomainEntry accepts names and subdomain wildcards in normal form", () => {
  const cases: [string, string][] = [
    ["example.com", "example.com"],
    ["Mail.Example.COM", "mail.example.com"],
    ["example.com.", "example.com"],
    [".example.com", ".example.com"],
    [".Example.com.", ".example.com"],
    ["localhost", "localhost"],
    [".com", ".com"],
    ["xn--bcher-kva.de", "xn--bcher-kva.de"],
    ["a-b.c0.example", "a-b.c0.example"],
    ["123.example.com", "123.example.com"],
    [`${"a".repeat(63)}.com`, `${"a".repeat(63)}.com`],
    [`${"a.".repeat(126)}b`, `${"a.".repeat(126)}b`],
  ];
  for (const [input, expected] of cases) {
    equal(normalizeDomainEntry(input), expected, input);
  }
});

Deno.test("normalizeDomainEntry rejects what is not a domain, saying why", () => {
  const cases: [string, RegExp][] = [
    ["", /empty entry/],
    [".", /empty label/],
    ["..", /empty label/],
    ["example..com", /empty label/],
    ["example.com..", /empty label/],
    ["..example.com", /empty label/],
    [`${"a".repeat(64)}.com`, /label longer than 63/],
    [`${"a.".repeat(126)}bc`, /longer than 253/],
    ["ex_ample.com", /other than a letter, digit, hyphen/],
    ["exa mple.com", /other than a letter, digit, hyphen/],
    [" example.com", /other than a letter, digit, hyphen/],
    ["example.com:25", /other than a letter, digit, hyphen/],
    ["2001:db8::1", /other than a letter, digit, hyphen/],
    ["-example.com", /starts or ends with a hyphen/],
    ["example-.com", /starts or ends with a hyphen/],
    ["*.example.com", /\* wildcard/],
    ["*", /\* wildcard/],
    ["[192.0.2.1]", /address literal/],
    ["192.0.2.1", /all-digit last label/],
    ["example.123", /all-digit last label/],
    ["bücher.de", /non-ASCII.*xn--/],
    ["\u212Aelvin.example", /non-ASCII/],
  ];
  for (const [input, message] of cases) {
    throws(() => normalizeDomainEntry(input), (error: unknown) => {
      equal(error instanceof RangeError, true, input);
      equal((error as Error).message.startsWith("Cannot parse domain: "), true, input);
      equal(message.test((error as Error).message), true, `${input}: ${(error as Error).message}`);
      return true;
    });
  }
});

Deno.test("normalizeRecipientDomain lower-cases ASCII only and strips one trailing dot", () => {
  equal(normalizeRecipientDomain("Domain.DE."), "domain.de");
  equal(normalizeRecipientDomain("domain.de.."), "domain.de.");
  equal(normalizeRecipientDomain("\u212A.example"), "\u212A.example");
});

Deno.test("domainCandidates follows qmail's rcpthosts.c order", () => {
  const cases: [string, string[]][] = [
    ["mx.a.example.com", ["mx.a.example.com", ".a.example.com", ".example.com", ".com"]],
    ["Example.COM.", ["example.com", ".com"]],
    ["localhost", ["localhost"]],
    [".example.com", [".example.com", ".com"]],
    ["", []],
    [".", []],
    ["[192.0.2.1]", []],
    ["[IPv6:2001:db8::1]", []],
  ];
  for (const [input, expected] of cases) {
    deepEqual(domainCandidates(input), expected, input);
  }
});

Deno.test("isLocalDomain: a name matches itself, a wildcard only strict subdomains", () => {
  const entries = ["example.com", ".example.net", "localhost"];
  const cases: [string, boolean][] = [
    ["example.com", true],
    ["EXAMPLE.COM.", true],
    ["mail.example.com", false],
    ["example.net", false],
    ["mail.example.net", true],
    ["a.b.example.net", true],
    ["badexample.net", false],
    ["example.net.evil.org", false],
    ["localhost", true],
    ["[127.0.0.1]", false],
    ["", false],
  ];
  for (const [domain, expected] of cases) {
    equal(isLocalDomain(domain, entries), expected, `array: ${domain}`);
    equal(isLocalDomain(domain, new Set(entries)), expected, `set: ${domain}`);
  }
});

Deno.test("isLocalDomain: a .com entry makes every .com domain local, as in qmail", () => {
  equal(isLocalDomain("gmail.com", [".com"]), true);
  equal(isLocalDomain("com", [".com"]), false);
  equal(isLocalDomain("example.org", [".com"]), false);
});

Deno.test("isLocalDomain with no entries: nothing is local", () => {
  equal(isLocalDomain("example.com", []), false);
  equal(isLocalDomain("localhost", new Set()), false);
});
