import { deepEqual, equal, match } from "node:assert/strict";
import { call } from "./_admin_fixture.ts";
import { routeAdminFixture } from "./_admin_routes_fixture.ts";
import { test } from "./_portable.ts";

const PASSWORD = "Pw-Never-Shown-7";
const PROVIDER = {
  relay: "mail.provider.de",
  port: 587,
  username: "trottel",
  password: PASSWORD,
  tls: "starttls",
};

test("admin routes: PUT creates, lists, replaces; the password never comes back", async () => {
  const { app, stores, logs } = routeAdminFixture();
  const created = await call(app, "PUT /api/routes/*", { json: PROVIDER });
  equal(created.status, 201);
  deepEqual(created.body, {
    pattern: "*",
    delivery: "relay",
    relay: "mail.provider.de",
    port: 587,
    tls: "starttls",
    username: "trottel",
  });
  const replaced = await call(app, "PUT /api/routes/*", {
    json: { ...PROVIDER, port: 465, tls: "implicit" },
  });
  equal(replaced.status, 200);
  await call(app, "PUT /api/routes/.TestDomain.DE", { json: { relay: "" } });
  const listed = await call(app, "GET /api/routes");
  equal(listed.status, 200);
  deepEqual(listed.body.routes, [
    { ...created.body, port: 465, tls: "implicit" },
    { pattern: ".testdomain.de", delivery: "mx", port: 25, tls: "opportunistic" },
  ]);
  equal((await stores.routes.get("*"))?.password, PASSWORD);
  for (const text of [created.text, replaced.text, listed.text, ...logs]) {
    equal(text.includes(PASSWORD), false, text);
  }
  deepEqual(logs, [
    `admin: created route * via mail.provider.de:587 (TLS starttls) with AUTH as "trottel"`,
    `admin: replaced route * via mail.provider.de:465 (TLS implicit) with AUTH as "trottel"`,
    "admin: created route .testdomain.de via MX hosts",
  ]);
});

test("admin routes: PUT without a password keeps it for the same user only", async () => {
  const { app, stores, logs } = routeAdminFixture();
  await call(app, "PUT /api/routes/testdomain.de", { json: PROVIDER });
  const { password: _, ...withoutPassword } = PROVIDER;
  const kept = await call(app, "PUT /api/routes/testdomain.de", {
    json: { ...withoutPassword, port: 2525 },
  });
  equal(kept.status, 200);
  deepEqual(await stores.routes.get("testdomain.de"), {
    pattern: "testdomain.de",
    relay: "mail.provider.de",
    port: 2525,
    username: "trottel",
    password: PASSWORD,
    tls: "starttls",
  });
  match(logs[1], /\(password kept\)$/);
  const otherUser = await call(app, "PUT /api/routes/testdomain.de", {
    json: { ...withoutPassword, username: "trottell" },
  });
  equal(otherUser.status, 400);
  equal(otherUser.body.error, "Cannot parse route: a user name without a password");
  equal((await stores.routes.get("testdomain.de"))?.port, 2525);
});

test("admin routes: PUT refuses bad patterns and bodies with 400, quoting no password", async () => {
  const { app, stores } = routeAdminFixture();
  const cases: [string, { json?: unknown; body?: string; contentType?: string }, RegExp][] = [
    ["PUT /api/routes/*.example.com", { json: {} }, /^Cannot parse route: .*wildcard/],
    ["PUT /api/routes/example.com", { json: { ...PROVIDER, port: 0 } }, /port 0/],
    ["PUT /api/routes/example.com", { json: { relay: "mail.provider.de", tls: "maybe" } }, /tls/],
    ["PUT /api/routes/example.com", { json: { ...PROVIDER, secret: 1 } }, /unknown field/],
    ["PUT /api/routes/example.com", { json: { password: PASSWORD } }, /without a user name/],
    ["PUT /api/routes/example.com", { json: { username: "u", password: PASSWORD } }, /relay/],
    ["PUT /api/routes/example.com", { body: "relay=x", contentType: "text/plain" }, /content/],
    [
      "PUT /api/routes/example.com",
      { json: { ...PROVIDER, mechanisms: ["PLAIN", "PLAIN"] } },
      /listed twice/,
    ],
  ];
  for (const [request, options, expected] of cases) {
    const response = await call(app, request, options);
    equal(response.status, 400, request);
    match(response.body.error, expected);
    equal(response.text.includes(PASSWORD), false);
  }
  deepEqual(await stores.routes.list(), []);
});

test("admin routes: DELETE removes by pattern, * also as %2A; 404 when absent", async () => {
  const { app, logs } = routeAdminFixture();
  await call(app, "PUT /api/routes/*", { json: { relay: "mail.provider.de" } });
  equal((await call(app, "DELETE /api/routes/%2A")).status, 204);
  const missing = await call(app, "DELETE /api/routes/*");
  equal(missing.status, 404);
  equal(missing.body.error, "No such route: *");
  equal((await call(app, "DELETE /api/routes/a..b")).status, 400);
  equal(logs.at(-1), "admin: removed route *");
});

test("admin routes: resolve names the route and why, or MX", async () => {
  const { app } = routeAdminFixture();
  await call(app, "PUT /api/routes/.testdomain.de", { json: PROVIDER });
  const sub = await call(app, "GET /api/routes/resolve?domain=Sub.TestDomain.de");
  equal(sub.status, 200);
  equal(sub.body.domain, "sub.testdomain.de");
  equal(sub.body.matched, ".testdomain.de");
  equal(sub.body.delivery, "relay");
  equal(sub.body.route.username, "trottel");
  match(sub.body.why, /matches the route "\.testdomain\.de" for subdomains of testdomain\.de/);
  equal(sub.text.includes(PASSWORD), false);
  const apex = await call(app, "GET /api/routes/resolve?domain=testdomain.de");
  deepEqual({ ...apex.body, why: undefined }, {
    domain: "testdomain.de",
    matched: null,
    route: null,
    delivery: "mx",
    why: undefined,
  });
  match(apex.body.why, /^No route matches "testdomain.de"/);
  equal((await call(app, "GET /api/routes/resolve")).status, 400);
  equal((await call(app, "GET /api/routes/resolve?domain=a@b.example")).status, 400);
});

test("admin routes: test probes the relay and reports each step, password redacted", async () => {
  const { app, probed, logs } = routeAdminFixture((route) => ({
    steps: [
      { step: "connect", ok: true, detail: `connected to ${route.relay}:587` },
      { step: "STARTTLS", ok: true, detail: "220 ready" },
      { step: "AUTH PLAIN", ok: false, detail: `535 bad credentials for ${route.password}` },
    ],
  }));
  await call(app, "PUT /api/routes/*", { json: PROVIDER });
  const tested = await call(app, "POST /api/routes/*/test");
  equal(tested.status, 200);
  equal(probed[0].password, PASSWORD);
  equal(tested.body.ok, false);
  equal(tested.body.relay, "mail.provider.de");
  deepEqual(tested.body.steps[2], {
    step: "AUTH PLAIN",
    ok: false,
    detail: "535 bad credentials for [password]",
  });
  equal(tested.text.includes(PASSWORD), false);
  equal(
    logs.at(-1),
    `admin: tested route * via mail.provider.de:587 (TLS starttls) with AUTH as "trottel": ` +
      "failed at AUTH PLAIN: 535 bad credentials for [password]",
  );
});

test("admin routes: test answers 404, 400 for an MX route, 501 without a probe", async () => {
  const withProbe = routeAdminFixture(() => ({
    steps: [{ step: "connect", ok: true, detail: "" }],
  }));
  equal((await call(withProbe.app, "POST /api/routes/example.net/test")).status, 404);
  await call(withProbe.app, "PUT /api/routes/example.net", { json: {} });
  const mx = await call(withProbe.app, "POST /api/routes/example.net/test");
  equal(mx.status, 400);
  match(mx.body.error, /no relay host/);
  await call(withProbe.app, "PUT /api/routes/example.org", { json: { relay: "192.0.2.25" } });
  const ok = await call(withProbe.app, "POST /api/routes/example.org/test");
  equal(ok.body.ok, true);
  const without = routeAdminFixture();
  await call(without.app, "PUT /api/routes/example.org", { json: { relay: "192.0.2.25" } });
  equal((await call(without.app, "POST /api/routes/example.org/test")).status, 501);
});

test("admin routes: every endpoint needs the token", async () => {
  const { app } = routeAdminFixture();
  for (const request of ["GET /api/routes", "GET /api/routes/export", "POST /api/routes/import"]) {
    equal((await call(app, request, { authorization: null })).status, 401, request);
  }
});
