import { equal, throws } from "node:assert/strict";
import { normalizeUserAddress } from "../admin/mod.ts";
import { test } from "./_portable.ts";

for (
  const [text, address] of [
    ["test@domain.de", "test@domain.de"],
    ["Test.User+Tag@Mail.Domain.DE", "test.user+tag@mail.domain.de"],
    ["trailing-dot@domain.de.", "trailing-dot@domain.de"],
    ['"quoted@local"@domain.de', '"quoted@local"@domain.de'],
    [`${"l".repeat(64)}@domain.de`, `${"l".repeat(64)}@domain.de`],
  ]
) {
  test(`normalizeUserAddress accepts ${JSON.stringify(text.slice(0, 30))}`, () => {
    equal(normalizeUserAddress(text), address);
  });
}

for (
  const [text, message] of [
    ["", "Cannot parse address: missing '@'"],
    ["domain.de", "Cannot parse address: missing '@'"],
    ["@domain.de", "Cannot parse address: empty local part"],
    [`${"l".repeat(65)}@domain.de`, "Cannot parse address: local part longer than 64 characters"],
    [
      `${"l".repeat(64)}@${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(60)}.de`,
      "Cannot parse address: longer than 254 characters",
    ],
    ["a b@domain.de", "Cannot parse address: whitespace or control character in local part"],
    ["a\tb@domain.de", "Cannot parse address: whitespace or control character in local part"],
    ["a\x7fb@domain.de", "Cannot parse address: whitespace or control character in local part"],
    ["a\u00a0b@domain.de", "Cannot parse address: whitespace or control character in local part"],
    ["a@.domain.de", "Cannot parse address: domain starts with '.'"],
    ["a@", "Cannot parse domain: empty entry"],
  ]
) {
  test(`normalizeUserAddress refuses ${JSON.stringify(text.slice(0, 30))}`, () => {
    throws(() => normalizeUserAddress(text), { name: "RangeError", message });
  });
}

test("normalizeUserAddress passes the domain's own error through", () => {
  throws(() => normalizeUserAddress("a@[192.0.2.1]"), (error: unknown) => {
    return error instanceof RangeError && error.message.startsWith("Cannot parse domain: ");
  });
});
