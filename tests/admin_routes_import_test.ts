import { deepEqual, equal, match } from "node:assert/strict";
import { call } from "./_admin_fixture.ts";
import { routeAdminFixture } from "./_admin_routes_fixture.ts";
import { test } from "./_portable.ts";

/** The seed's routes: its two scenarios in one file, and its client test's route. */
const SEED_SCENARIOS = ":mail.provider.de dHJvdHRlbA== aWNo\n" +
  "testdomain.de:mail.provider.de dHJvdHRlbA== aWNo  \n" +
  ".testdomain.de:mail.provider.de dHJvdHRlbA== aWNo\n";
const SEED_KUNDE = ":mail.provider.de a3VuZGUwODElQGRvbWFPbi5kZQ== NDcxMQ==\n";

const asText = (body: string) => ({ body, contentType: "text/plain; charset=utf-8" });

function assertNoPassword(text: string): void {
  for (const secret of ["aWNo", '"ich"', "4711", "NDcxMQ", "password"]) {
    equal(text.includes(secret), false, `${secret} in ${text}`);
  }
}

test("admin import: the seed's routes, resolved as the seed describes", async () => {
  const { app, logs } = routeAdminFixture();
  const imported = await call(app, "POST /api/routes/import", asText(SEED_SCENARIOS));
  equal(imported.status, 200);
  assertNoPassword(imported.text);
  deepEqual(
    imported.body.imported.map((r: { pattern: string; username: string; status: string }) => [
      r.pattern,
      r.username,
      r.status,
    ]),
    [["*", "trottel", "created"], ["testdomain.de", "trottel", "created"], [
      ".testdomain.de",
      "trottel",
      "created",
    ]],
  );
  const resolved = [];
  for (const domain of ["testdomain.de", "mail.testdomain.de", "gmx.example"]) {
    const { body, text } = await call(app, `GET /api/routes/resolve?domain=${domain}`);
    assertNoPassword(text);
    resolved.push([body.matched, body.route.relay, body.route.username]);
  }
  deepEqual(resolved, [
    ["testdomain.de", "mail.provider.de", "trottel"],
    [".testdomain.de", "mail.provider.de", "trottel"],
    ["*", "mail.provider.de", "trottel"],
  ]);
  equal(logs.at(-1), "admin: imported 3 routes from smtproutes (3 created, 0 replaced)");
});

test("admin import: the decoded user name shows the seed's typo", async () => {
  const { app, stores } = routeAdminFixture();
  await call(app, "POST /api/routes/import", asText(SEED_SCENARIOS));
  const imported = await call(app, "POST /api/routes/import", asText(SEED_KUNDE));
  equal(imported.status, 200);
  assertNoPassword(imported.text);
  deepEqual(imported.body.imported, [{
    pattern: "*",
    delivery: "relay",
    relay: "mail.provider.de",
    port: 25,
    tls: "starttls",
    username: "kunde081%@domaOn.de",
    status: "replaced",
  }]);
  equal((await stores.routes.get("*"))?.password, "4711");
  equal((await stores.routes.get("testdomain.de"))?.username, "trottel");
});

test("admin import: plain credentials and Hoffmann's form", async () => {
  const { app, stores } = routeAdminFixture();
  const text = "testdomain.de:mail.provider.de kunde0815@domain.de 4711\n" +
    ".testdomain.de:mail.provider.de:587|kunde0815@domain.de|4711\n";
  const imported = await call(app, "POST /api/routes/import?credentials=plain", asText(text));
  equal(imported.status, 200);
  assertNoPassword(imported.text);
  deepEqual(
    imported.body.imported.map((r: { username: string; port: number }) => [r.username, r.port]),
    [["kunde0815@domain.de", 25], ["kunde0815@domain.de", 587]],
  );
  equal((await stores.routes.get(".testdomain.de"))?.password, "4711");
});

test("admin import: every bad line reported with its number, nothing imported", async () => {
  const { app, stores } = routeAdminFixture();
  await call(app, "PUT /api/routes/keep.example", { json: { relay: "relay.example" } });
  const text = "# seed\n" + SEED_SCENARIOS + "broken.example mail.provider.de\n" +
    "x.example:relay.example dHJvdHRlbA== c2VjcmV0!\n";
  const refused = await call(app, "POST /api/routes/import", asText(text));
  equal(refused.status, 400);
  equal(
    refused.body.error,
    "Cannot import smtproutes: 2 lines cannot be read; nothing was imported",
  );
  deepEqual(refused.body.errors.map((e: { line: number }) => e.line), [5, 6]);
  match(refused.body.errors[0].message, /missing ':'/);
  match(refused.body.errors[1].message, /the password is not base64/);
  equal(refused.text.includes("c2VjcmV0"), false);
  deepEqual((await stores.routes.list()).map((route) => route.pattern), ["keep.example"]);
});

test("admin import: refuses other content types, unknown options and empty files", async () => {
  const { app } = routeAdminFixture();
  const cases: [string, { body: string; contentType?: string }, RegExp][] = [
    ["POST /api/routes/import", { body: SEED_KUNDE }, /text\/plain/],
    ["POST /api/routes/import", { body: SEED_KUNDE, contentType: "application/json" }, /text/],
    ["POST /api/routes/import?credentials=hex", asText(SEED_KUNDE), /base64 or plain/],
    ["POST /api/routes/import", asText("# nothing\n\n"), /no routes/],
  ];
  for (const [request, options, expected] of cases) {
    const response = await call(app, request, options);
    equal(response.status, 400, request);
    match(response.body.error, expected);
  }
});

test("admin import: more routes than one commit holds are refused whole", async () => {
  const { app, stores } = routeAdminFixture();
  const lines = Array.from({ length: 1001 }, (_, n) => `d${n}.example:\n`).join("");
  const refused = await call(app, "POST /api/routes/import", asText(lines));
  equal(refused.status, 400);
  match(refused.body.error, /1001 routes, at most 1000/);
  deepEqual(await stores.routes.list(), []);
});

test("admin export: smtproutes without passwords unless asked, and back again", async () => {
  const { app, stores, logs } = routeAdminFixture();
  await call(app, "POST /api/routes/import", asText(SEED_SCENARIOS));
  const withheld = await call(app, "GET /api/routes/export");
  equal(withheld.status, 200);
  match(withheld.headers.get("content-type") ?? "", /^text\/plain/);
  equal(withheld.headers.get("cache-control"), "no-store");
  equal(withheld.text.includes("aWNo"), false);
  match(withheld.text, /^# :mail\.provider\.de \(AUTH as "trottel"; password withheld/m);
  const reimported = await call(app, "POST /api/routes/import", asText(withheld.text));
  equal(reimported.status, 400);
  match(reimported.body.error, /no routes/);
  const full = await call(app, "GET /api/routes/export?passwords=true");
  equal(
    full.text,
    ":mail.provider.de dHJvdHRlbA== aWNo\n" +
      ".testdomain.de:mail.provider.de dHJvdHRlbA== aWNo\n" +
      "testdomain.de:mail.provider.de dHJvdHRlbA== aWNo\n",
  );
  equal(logs.at(-1), "admin: exported routes with passwords");
  const hoffmann = await call(app, "GET /api/routes/export?passwords=true&form=hoffmann");
  match(hoffmann.text, /^:mail\.provider\.de:25\|trottel\|ich$/m);
  const before = await stores.routes.list();
  await call(app, "POST /api/routes/import?credentials=plain", asText(hoffmann.text));
  deepEqual(await stores.routes.list(), before.map((route) => ({ ...route, port: 25 })));
  equal((await call(app, "GET /api/routes/export?passwords=yes")).status, 400);
  equal((await call(app, "GET /api/routes/export?form=clegg")).status, 400);
});
