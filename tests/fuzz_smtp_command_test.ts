import { deepEqual, equal } from "node:assert/strict";
import fc from "fast-check";
import { parseMailbox, parsePath } from "../smtp/address.ts";
import { InputBuffer, LINE_TOO_LONG } from "../smtp/input_buffer.ts";
import { fuzzParameters, splitAt } from "./_fuzz.ts";

const encoder = new TextEncoder();

/** Pieces of MAIL/RCPT arguments, so most inputs get past the first check. */
const PATH_TOKENS = [
  "FROM:",
  "TO:",
  "from:",
  "<",
  ">",
  "@",
  ".",
  " ",
  '"',
  "\\",
  ":",
  ",",
  "a",
  "Test",
  "domain.DE",
  "[192.0.2.1]",
  "[IPv6:2001:db8::1]",
  "SIZE=10",
  "BODY=8BITMIME",
  "=",
  "\u00e9",
  "\u0000",
  "x".repeat(70),
];
const pathArgument = fc.oneof(
  fc.array(fc.constantFrom(...PATH_TOKENS), { maxLength: 16 }).map((tokens) => tokens.join("")),
  fc.string({ unit: "binary", maxLength: 60 }),
);

Deno.test("fuzz parsePath: any argument gives a result, and an accepted one is well-formed", () => {
  fc.assert(
    fc.property(
      pathArgument,
      fc.constantFrom("FROM" as const, "TO" as const),
      (argument, keyword) => {
        const result = parsePath(argument, keyword);
        if (!result.ok) {
          equal(typeof result.reason, "string");
          return;
        }
        if (result.address === "") {
          equal(keyword, "FROM");
        } else {
          equal(
            parseMailbox(result.address),
            result.address,
            "an accepted address re-parses to itself",
          );
          equal(/[\s\p{Cc}]/u.test(result.address.replace(/^".*"@/, "@")), false);
        }
        for (const [name, value] of result.params) {
          equal(name, name.toUpperCase());
          equal(/^[A-Z0-9][A-Z0-9-]*$/.test(name), true);
          equal(/^[\x21-\x3c\x3e-\x7e]*$/.test(value), true);
        }
      },
    ),
    fuzzParameters(2000),
  );
});

Deno.test("fuzz parseMailbox: never throws; an accepted mailbox has one lower-case domain", () => {
  fc.assert(
    fc.property(pathArgument, (text) => {
      const result = parseMailbox(text);
      if (typeof result !== "string") return;
      const domain = result.slice(result.lastIndexOf("@") + 1);
      equal(domain, domain.toLowerCase());
      equal(domain.endsWith("."), false);
      equal(result.length <= 64 + 1 + 255, true);
    }),
    fuzzParameters(2000),
  );
});

type Line = string | typeof LINE_TOO_LONG;

function linesOf(pieces: Uint8Array[], maxLength: number): Line[] {
  const input = new InputBuffer();
  const lines: Line[] = [];
  for (const piece of pieces) {
    input.append(piece);
    for (
      let line = input.takeLine(maxLength);
      line !== undefined;
      line = input.takeLine(maxLength)
    ) {
      lines.push(line);
    }
  }
  return lines;
}

/** Command input: short words, CR, LF, and sometimes a very long run. */
const commandBytes = fc.array(
  fc.constantFrom("NOOP", "\r\n", "\n", "\r", "x", " ", "\u00e9", "y".repeat(9), "\u0000"),
  { maxLength: 30 },
).map((tokens) => encoder.encode(tokens.join("")));

Deno.test("fuzz InputBuffer: command lines do not depend on how the input was split", () => {
  fc.assert(
    fc.property(
      commandBytes,
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.integer({ min: 1, max: 16 }),
      (bytes, cuts, maxLength) => {
        deepEqual(linesOf(splitAt(bytes, cuts), maxLength), linesOf([bytes], maxLength));
      },
    ),
    fuzzParameters(2000),
  );
});

Deno.test("fuzz InputBuffer: no line handed out is longer than the limit or holds a line break", () => {
  fc.assert(
    fc.property(commandBytes, fc.integer({ min: 1, max: 16 }), (bytes, maxLength) => {
      for (const line of linesOf([bytes], maxLength)) {
        if (line === LINE_TOO_LONG) continue;
        equal(encoder.encode(line).length <= maxLength, true);
        equal(line.includes("\n"), false);
      }
    }),
    fuzzParameters(2000),
  );
});
