import { deepEqual, equal, match, throws } from "node:assert/strict";
import { normalizeRoutePattern, resolveRoute, type Route, routePort } from "../delivery/routes.ts";
import { createRoute, normalizeRelayHost } from "../delivery/route_fields.ts";
import { test } from "./_portable.ts";

const provider = (pattern: string, extra: Partial<Route> = {}): Route => ({
  pattern,
  relay: "mail.provider.de",
  tls: "starttls",
  ...extra,
});

test("route patterns: default, domain, subdomains, normalised", () => {
  equal(normalizeRoutePattern(""), "*");
  equal(normalizeRoutePattern("*"), "*");
  equal(normalizeRoutePattern("TestDomain.DE."), "testdomain.de");
  equal(normalizeRoutePattern(".testdomain.de"), ".testdomain.de");
});

test("route patterns: bad input is a RangeError naming the route", () => {
  for (
    const text of ["*.example.com", "a..b", "[192.0.2.1]", "192.0.2.1", "ex ample.com", "-a.de"]
  ) {
    throws(() => normalizeRoutePattern(text), (error: Error) => {
      equal(error instanceof RangeError, true, text);
      match(error.message, /^Cannot parse route: /);
      return true;
    });
  }
});

test("resolve: exact domain beats subdomain pattern beats default", () => {
  const routes = [provider("*"), provider("testdomain.de"), provider(".testdomain.de")];
  deepEqual(
    ["testdomain.de", "sub.testdomain.de", "a.b.testdomain.de", "other.de", "xtestdomain.de"].map(
      (domain) => resolveRoute(domain, routes).matched,
    ),
    ["testdomain.de", ".testdomain.de", ".testdomain.de", "*", "*"],
  );
});

test("resolve: .example.com does not match example.com itself", () => {
  const found = resolveRoute("testdomain.de", [provider(".testdomain.de")]);
  equal(found.route, undefined);
  equal(found.matched, undefined);
  match(found.why, /^No route matches "testdomain.de" .*MX hosts/);
});

test("resolve: the longest suffix wins, as qmail-remote looks it up", () => {
  const routes = [provider(".de"), provider(".b.example.de", { relay: "inner.example" })];
  const found = resolveRoute("a.b.example.de", routes);
  equal(found.route?.relay, "inner.example");
  equal(
    found.why,
    `"a.b.example.de" matches the route ".b.example.de" for subdomains of b.example.de ` +
      `(no route for "a.b.example.de"): relayed through inner.example:25 with TLS starttls, ` +
      `without AUTH`,
  );
  equal(resolveRoute("c.example.de", routes).matched, ".de");
});

test("resolve: case and a trailing dot do not matter", () => {
  equal(resolveRoute("Sub.TestDomain.DE.", [provider(".testdomain.de")]).matched, ".testdomain.de");
});

test("resolve: an address literal only takes the default route", () => {
  equal(resolveRoute("[192.0.2.1]", [provider(".1")]).matched, undefined);
  equal(resolveRoute("[192.0.2.1]", [provider("*")]).matched, "*");
});

test("resolve: why names the pattern, the skipped ones, relay, TLS and AUTH", () => {
  const routes = [provider("*", { username: "trottel", password: "ich", port: 587 })];
  equal(
    resolveRoute("sub.testdomain.de", routes).why,
    `"sub.testdomain.de" matches the default route "*" (no route for "sub.testdomain.de", ` +
      `".testdomain.de", ".de"): relayed through mail.provider.de:587 with TLS starttls, ` +
      `with AUTH as "trottel"`,
  );
  equal(
    resolveRoute("example.net", [{ pattern: "example.net", tls: "opportunistic" }]).why,
    `"example.net" matches the route "example.net": delivered to its MX hosts, without AUTH`,
  );
  equal(
    resolveRoute("example.net", []).why,
    `No route matches "example.net" (tried "example.net", ".net", "*"): ` +
      `delivered to its MX hosts without AUTH`,
  );
});

test("route port: explicit, else 465 for implicit TLS, else 25", () => {
  equal(routePort({ port: 2525, tls: "implicit" }), 2525);
  equal(routePort({ tls: "implicit" }), 465);
  equal(routePort({ tls: "starttls" }), 25);
});

test("relay hosts: names, IPv4, IPv6, brackets", () => {
  equal(normalizeRelayHost("Mail.Provider.DE."), "mail.provider.de");
  equal(normalizeRelayHost("192.0.2.1"), "192.0.2.1");
  equal(normalizeRelayHost("[192.0.2.1]"), "192.0.2.1");
  equal(normalizeRelayHost("[2001:DB8:0::1]"), "2001:db8::1");
  for (const bad of ["192.0.2.300", ".example.com", "[mail.example]", "a b", "01.2.3.4", "::g"]) {
    throws(() => normalizeRelayHost(bad), RangeError, bad);
  }
});

test("createRoute: TLS defaults to implicit on 465, starttls with AUTH, else opportunistic", () => {
  equal(createRoute("*", { relay: "r.example", port: 465 }).tls, "implicit");
  equal(createRoute("*", { relay: "r.example", username: "u", password: "p" }).tls, "starttls");
  equal(createRoute("*", { relay: "r.example" }).tls, "opportunistic");
  equal(createRoute("*", {}).tls, "opportunistic");
  equal(createRoute("*", { relay: "r.example", tls: "none" }).tls, "none");
});

test("createRoute: keeps only the fields given, normalised", () => {
  deepEqual(
    createRoute(".Example.NET", {
      relay: "[192.0.2.7]",
      port: 587,
      username: "u@example.net",
      password: "p w",
      mechanisms: ["PLAIN", "LOGIN"],
    }),
    {
      pattern: ".example.net",
      relay: "192.0.2.7",
      port: 587,
      username: "u@example.net",
      password: "p w",
      tls: "starttls",
      mechanisms: ["PLAIN", "LOGIN"],
    },
  );
  deepEqual(createRoute("example.net", { relay: "" }), {
    pattern: "example.net",
    tls: "opportunistic",
  });
});

test("createRoute: refuses inconsistent or invalid fields without quoting the password", () => {
  const cases: [string, Parameters<typeof createRoute>[1], RegExp][] = [
    ["*", { relay: "r.example", port: 0 }, /port 0/],
    ["*", { relay: "r.example", port: 65536 }, /port 65536/],
    ["*", { relay: "r.example", port: 25.5 }, /port 25.5/],
    ["*", { relay: "r.example", username: "u" }, /a user name without a password/],
    ["*", { relay: "r.example", password: "s3cret" }, /a password without a user name/],
    ["*", { username: "u", password: "s3cret" }, /credentials need a relay host/],
    ["*", { relay: "r.example", username: "", password: "s3cret" }, /user name is empty/],
    ["*", { relay: "r.example", username: "u", password: "s3\0cret" }, /contains NUL/],
    ["*", { relay: "r.example", username: "u", password: "x".repeat(1025) }, /longer than 1024/],
    ["*", { relay: "r.example", mechanisms: ["PLAIN"] }, /no credentials/],
    ["*", { relay: "r.example", username: "u", password: "s3cret", mechanisms: [] }, /empty/],
    [
      "*",
      { relay: "r.example", username: "u", password: "s3cret", mechanisms: ["PLAIN", "PLAIN"] },
      /PLAIN is listed twice/,
    ],
    [
      "*",
      // @ts-expect-error: an unknown mechanism from untyped input
      { relay: "r.example", username: "u", password: "s3cret", mechanisms: ["XOAUTH2"] },
      /unknown mechanism "XOAUTH2"/,
    ],
    // @ts-expect-error: an unknown TLS mode from untyped input
    ["*", { relay: "r.example", tls: "maybe" }, /unknown TLS mode "maybe"/],
  ];
  for (const [pattern, fields, expected] of cases) {
    throws(() => createRoute(pattern, fields), (error: Error) => {
      equal(error instanceof RangeError, true);
      match(error.message, /^Cannot parse route: /);
      match(error.message, expected);
      equal(error.message.includes("s3"), false, error.message);
      return true;
    });
  }
});
