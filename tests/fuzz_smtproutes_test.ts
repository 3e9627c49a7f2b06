import { deepEqual, equal } from "node:assert/strict";
import fc from "fast-check";
import { type Route, routePort } from "../delivery/routes.ts";
import { formatSmtproutes, parseSmtproutes } from "../delivery/smtproutes.ts";
import { fuzzParameters } from "./_fuzz.ts";

const PATTERNS = ["", "example.com", ".example.com", "*", "Example.NET.", "a..b", "é.de", "-x.de"];
const RELAYS = [
  "mail.provider.de",
  "[192.0.2.1]",
  "[2001:db8::1]",
  "192.0.2.1",
  "",
  "bad host",
  "[::1",
  "relay]",
  "Relay.Example.",
];
const PORTS = ["", ":25", ":465", ":587", ":0", ":99999", ":x", ":", "::"];
const CREDENTIALS = [
  "",
  " dHJvdHRlbA== aWNo",
  " user pass",
  "\tuser\tpass",
  " only-user",
  " a b c",
  "|kunde|geheim",
  "|kunde|ge|heim",
  "|lonely",
  "||",
  " //// ////",
  " w6k= w7w=",
];

/** Lines that look like smtproutes, mostly: known pieces, comments, blanks and noise. */
const routeLine = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(
      fc.constantFrom(...PATTERNS),
      fc.constantFrom(":", ""),
      fc.constantFrom(...RELAYS),
      fc.constantFrom(...PORTS),
      fc.constantFrom(...CREDENTIALS),
      fc.constantFrom("", " ", "\t", "\r", " \r"),
    ).map((parts) => parts.join("")),
  },
  { weight: 1, arbitrary: fc.constantFrom("", "# comment", "   ", "\t# indented comment") },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
);
const smtproutesText = fc.array(routeLine, { maxLength: 12 }).map((lines) => lines.join("\n"));
/** Hoffmann's form always names the port: an absent port and its default are the same route. */
function withPort(routes: Route[]): Route[] {
  return routes.map((route) => ({ ...route, port: routePort(route) }));
}

const credentialsMode = fc.constantFrom("base64" as const, "plain" as const);

Deno.test("fuzz smtproutes: any text parses without an exception, each bad line reported once", () => {
  fc.assert(
    fc.property(smtproutesText, credentialsMode, (text, credentials) => {
      const { routes, errors } = parseSmtproutes(text, { credentials });
      const lineCount = text.split("\n").length;
      const errorLines = errors.map((error) => error.line);
      deepEqual(errorLines, [...new Set(errorLines)].sort((a, b) => a - b));
      for (const error of errors) {
        equal(Number.isInteger(error.line) && error.line >= 1 && error.line <= lineCount, true);
        equal(error.message.startsWith("Cannot parse route: "), true);
      }
      const patterns = routes.map((route) => route.pattern);
      equal(new Set(patterns).size, patterns.length);
    }),
    fuzzParameters(2000),
  );
});

Deno.test("fuzz smtproutes: what was read is written back and read again unchanged, in both forms", () => {
  fc.assert(
    fc.property(
      smtproutesText,
      credentialsMode,
      fc.constantFrom("seed" as const, "hoffmann" as const),
      (text, credentials, form) => {
        const { routes } = parseSmtproutes(text, { credentials });
        const written = formatSmtproutes(routes, { withPasswords: true, form });
        const reread = parseSmtproutes(written, { credentials: "base64" });
        deepEqual(reread.errors, []);
        deepEqual(withPort(reread.routes), withPort(routes));
      },
    ),
    fuzzParameters(2000),
  );
});

Deno.test("fuzz smtproutes: any credentials survive a round trip through the file", () => {
  const secret = fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 });
  fc.assert(
    fc.property(secret, secret, fc.constantFrom("seed" as const, "hoffmann" as const), (
      username,
      password,
      form,
    ) => {
      const route = {
        pattern: "*",
        relay: "mail.provider.de",
        username,
        password,
        tls: "starttls" as const,
      };
      const written = formatSmtproutes([route], { withPasswords: true, form });
      const reread = parseSmtproutes(written, { credentials: "base64" });
      deepEqual(reread.errors, []);
      deepEqual(withPort(reread.routes), withPort([route]));
    }),
    fuzzParameters(2000),
  );
});
