import { deepEqual, equal, match } from "node:assert/strict";
import { resolveRoute } from "../delivery/routes.ts";
import { formatSmtproutes, parseSmtproutes } from "../delivery/smtproutes.ts";

/** The seed's first scenario: every domain through the provider, with AUTH. */
const SEED_ALL_VIA_PROVIDER = ":mail.provider.de dHJvdHRlbA== aWNo\n";
/** The seed's second scenario, trailing blanks included as printed. */
const SEED_ONE_DOMAIN = "testdomain.de:mail.provider.de dHJvdHRlbA== aWNo  \n" +
  ".testdomain.de:mail.provider.de dHJvdHRlbA== aWNo\n";
/** The seed's client test route for kunde0815@domain.de, password 4711. */
const SEED_KUNDE = ":mail.provider.de a3VuZGUwODElQGRvbWFPbi5kZQ== NDcxMQ==\n";

const base64 = { credentials: "base64" } as const;
const plain = { credentials: "plain" } as const;

Deno.test("smtproutes: the seed's default route sends everything to the provider with AUTH", () => {
  const { routes, errors } = parseSmtproutes(SEED_ALL_VIA_PROVIDER, base64);
  deepEqual(errors, []);
  deepEqual(routes, [{
    pattern: "*",
    relay: "mail.provider.de",
    username: "trottel",
    password: "ich",
    tls: "starttls",
  }]);
  for (const domain of ["testdomain.de", "sub.testdomain.de", "example.net"]) {
    equal(resolveRoute(domain, routes).route?.relay, "mail.provider.de", domain);
  }
});

Deno.test("smtproutes: the seed's testdomain.de routes, everything else to MX without AUTH", () => {
  const { routes, errors } = parseSmtproutes(SEED_ONE_DOMAIN, base64);
  deepEqual(errors, []);
  deepEqual(routes.map((route) => route.pattern), ["testdomain.de", ".testdomain.de"]);
  equal(resolveRoute("testdomain.de", routes).matched, "testdomain.de");
  equal(resolveRoute("mx.sub.testdomain.de", routes).matched, ".testdomain.de");
  const elsewhere = resolveRoute("gmx.example", routes);
  equal(elsewhere.route, undefined);
  match(elsewhere.why, /MX hosts without AUTH/);
});

Deno.test("smtproutes: decoding reveals the seed's base64 typos", () => {
  // The text says the user is "trottell"; the base64 says "trottel".
  equal(parseSmtproutes(SEED_ALL_VIA_PROVIDER, base64).routes[0].username, "trottel");
  // The text says kunde0815@domain.de; the base64 says otherwise.
  const [kunde] = parseSmtproutes(SEED_KUNDE, base64).routes;
  equal(kunde.username, "kunde081%@domaOn.de");
  equal(kunde.password, "4711");
});

Deno.test("smtproutes: plain-text credentials and Hoffmann's form", () => {
  const { routes, errors } = parseSmtproutes(
    "testdomain.de:mail.provider.de trottell ich\n" +
      ".testdomain.de:[192.0.2.25]:587|kunde0815@domain.de|pass|with|bars\n" +
      "example.net:[2001:db8::25]:465\n",
    plain,
  );
  deepEqual(errors, []);
  deepEqual(routes, [
    {
      pattern: "testdomain.de",
      relay: "mail.provider.de",
      username: "trottell",
      password: "ich",
      tls: "starttls",
    },
    {
      pattern: ".testdomain.de",
      relay: "192.0.2.25",
      port: 587,
      username: "kunde0815@domain.de",
      password: "pass|with|bars",
      tls: "starttls",
    },
    { pattern: "example.net", relay: "2001:db8::25", port: 465, tls: "implicit" },
  ]);
});

Deno.test("smtproutes: empty relay means MX, comments, blank lines and CRLF are fine", () => {
  const { routes, errors } = parseSmtproutes(
    "# local overrides\r\n\r\nexample.net:\r\n  .example.org:relay.example.org:2525\r\n",
    base64,
  );
  deepEqual(errors, []);
  deepEqual(routes, [
    { pattern: "example.net", tls: "opportunistic" },
    { pattern: ".example.org", relay: "relay.example.org", port: 2525, tls: "opportunistic" },
  ]);
});

Deno.test("smtproutes: every unreadable line is reported with its number, passwords unquoted", () => {
  const text = [
    ":mail.provider.de dHJvdHRlbA== aWNo",
    "no-colon.example mail.provider.de",
    "a.example:relay.example:99999",
    "b.example:relay.example dHJvdHRlbA==",
    "c.example:relay.example dHJvdHRlbA== c2VjcmV0!",
    "d.example:relay.example trottel%% c2VjcmV0",
    "*.e.example:relay.example",
    ":other.example",
    "f.example:relay.example:587|user-only",
    "g.example:relay.example:x:y",
    "h.example:relay.example a b c",
    "i.example:[192.0.2.1",
  ].join("\n");
  const { routes, errors } = parseSmtproutes(text, base64);
  deepEqual(routes.map((route) => route.pattern), ["*"]);
  deepEqual(errors.map((error) => error.line), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  match(errors[0].message, /missing ':' after the domain/);
  match(errors[1].message, /port 99999/);
  match(errors[2].message, /a user name without a password/);
  match(errors[3].message, /the password is not base64/);
  match(errors[4].message, /the user name "trottel%%" is not base64.*credentials=plain/);
  match(errors[5].message, /Cannot parse route: .*\* wildcard/);
  equal(errors[6].message, `Cannot parse route: a second route for "*" (first on line 1)`);
  match(errors[7].message, /Hoffmann's form/);
  match(errors[8].message, /too many ':'/);
  match(errors[9].message, /4 fields, expected 1 or 3/);
  match(errors[10].message, /missing '\]'/);
  for (const error of errors) equal(error.message.includes("c2VjcmV0"), false, error.message);
});

Deno.test("smtproutes: format writes the seed's form and reads back the same routes", () => {
  const { routes } = parseSmtproutes(SEED_ALL_VIA_PROVIDER + SEED_ONE_DOMAIN, base64);
  const text = formatSmtproutes(routes, { withPasswords: true });
  equal(text, SEED_ALL_VIA_PROVIDER + SEED_ONE_DOMAIN.replace("  \n", "\n"));
  deepEqual(parseSmtproutes(text, base64).routes, routes);
});

Deno.test("smtproutes: format without passwords comments out routes with AUTH", () => {
  const { routes } = parseSmtproutes(SEED_KUNDE + "example.net:relay.example:2525\n", base64);
  equal(
    formatSmtproutes(routes, { withPasswords: false }),
    '# :mail.provider.de (AUTH as "kunde081%@domaOn.de"; ' +
      "password withheld: export with passwords=true)\n" +
      "example.net:relay.example:2525\n",
  );
  deepEqual(
    parseSmtproutes(formatSmtproutes(routes, { withPasswords: false }), base64).routes,
    [routes[1]],
  );
});

Deno.test("smtproutes: format notes what the file cannot carry, brackets addresses", () => {
  const text = formatSmtproutes([
    {
      pattern: "example.net",
      relay: "2001:db8::25",
      port: 587,
      username: "u",
      password: "p",
      tls: "implicit",
      mechanisms: ["CRAM-MD5"],
    },
    { pattern: ".example.org", relay: "192.0.2.25", tls: "none" },
    { pattern: "example.com", port: 2525, tls: "opportunistic" },
  ], { withPasswords: true, form: "hoffmann" });
  equal(
    text,
    "# example.net: tls implicit\n" +
      "# example.net: mechanisms CRAM-MD5\n" +
      "example.net:[2001:db8::25]:587|u|p\n" +
      "# .example.org: tls none\n" +
      ".example.org:[192.0.2.25]\n" +
      "example.com::2525\n",
  );
});

Deno.test("smtproutes: Hoffmann's form falls back to base64 for a password it cannot carry", () => {
  const routes = [{
    pattern: "*",
    relay: "r.example",
    username: "u",
    password: "ends with a blank ",
    tls: "starttls" as const,
  }];
  const text = formatSmtproutes(routes, { withPasswords: true, form: "hoffmann" });
  equal(text, ":r.example dQ== ZW5kcyB3aXRoIGEgYmxhbmsg\n");
  deepEqual(parseSmtproutes(text, base64).routes, routes);
});
