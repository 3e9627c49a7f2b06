import { equal, throws } from "node:assert/strict";
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import { cramMd5Digest, cramMd5Secret } from "../auth/cram_md5_secret.ts";

const encoder = new TextEncoder();

function hmacMd5Hex(password: string, challenge: string): string {
  return hmac(md5, encoder.encode(password), encoder.encode(challenge)).toHex();
}

Deno.test("cramMd5Digest: RFC 2195's example from a stored secret", () => {
  const secret = cramMd5Secret("tanstaaftanstaaf");
  equal(
    cramMd5Digest(secret, "<1896.697170952@postoffice.reston.mci.net>"),
    "b913a602c7eda7a495b4e6e7334d3890",
  );
});

Deno.test("cramMd5Secret: matches `doveadm pw -s CRAM-MD5 -p password` (outer state first)", () => {
  // Published in postfix_admin's test suite (spec/spec_helper.rb: `# password: "password"`).
  equal(
    cramMd5Secret("password"),
    "9186d855e11eba527a7a52ca82b313e180d62234f0acc9051b527243d41e2740",
  );
});

Deno.test("cramMd5Digest: equals plain HMAC-MD5 for short, 64-byte, long and non-ASCII keys", () => {
  const passwords = ["a", "x".repeat(63), "y".repeat(64), "z".repeat(65), "p".repeat(200), "päss"];
  const challenges = ["", "<1.2@h>", "c".repeat(55), "c".repeat(64), "c".repeat(130)];
  for (const password of passwords) {
    const secret = cramMd5Secret(password);
    equal(secret.length, 64);
    for (const challenge of challenges) {
      equal(cramMd5Digest(secret, challenge), hmacMd5Hex(password, challenge), password);
    }
  }
});

Deno.test("cramMd5Digest: an upper-case secret is the same secret", () => {
  const secret = cramMd5Secret("testing");
  equal(cramMd5Digest(secret.toUpperCase(), "<1.2@h>"), hmacMd5Hex("testing", "<1.2@h>"));
});

Deno.test("cramMd5Digest: a secret that is not 64 hex digits is a TypeError", () => {
  for (
    const secret of [
      "",
      "0".repeat(63),
      "0".repeat(65),
      "g".repeat(64),
      `{CRAM-MD5}${"0".repeat(64)}`,
    ]
  ) {
    throws(() => cramMd5Digest(secret, "<1.2@h>"), TypeError, secret);
  }
});
