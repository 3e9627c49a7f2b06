import { deepEqual, equal, throws } from "node:assert/strict";
import { createAdminApp } from "../admin/mod.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { adminFixture, call, TOKEN } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

/** Every /api request, each with a body that would be valid if it were authorised. */
const PROTECTED_REQUESTS: [string, unknown][] = [
  ["GET /api/domains", undefined],
  ["PUT /api/domains/example.net", undefined],
  ["DELETE /api/domains/example.net", undefined],
  ["GET /api/users", undefined],
  ["PUT /api/users/test@example.net", { password: "secret" }],
  ["DELETE /api/users/test@example.net", undefined],
  ["GET /api/relay-networks", undefined],
  ["POST /api/relay-networks", { cidr: "192.0.2.0/24" }],
  ["DELETE /api/relay-networks/192.0.2.0%2F24", undefined],
  ["GET /api/queue", undefined],
  ["GET /api/no-such-route", undefined],
];

const BARE_CHALLENGE = 'Bearer realm="tollgate-admin"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="tollgate-admin", error="invalid_token"';

test("GET /healthz needs no token", async () => {
  const { app } = adminFixture();
  const response = await call(app, "GET /healthz", { authorization: null });
  equal(response.status, 200);
  deepEqual(response.body, { status: "ok" });
});

for (
  const [name, authorization, challenge] of [
    ["a missing Authorization header", null, BARE_CHALLENGE],
    ["another scheme", `Basic ${btoa(`admin:${TOKEN}`)}`, BARE_CHALLENGE],
    ["a wrong token", "Bearer not-the-admin-token-at-all", INVALID_TOKEN_CHALLENGE],
    ["the token with a character appended", `Bearer ${TOKEN}x`, INVALID_TOKEN_CHALLENGE],
    ["a token outside the b64token grammar", "Bearer two words", INVALID_TOKEN_CHALLENGE],
    ["the scheme without a token", "Bearer", BARE_CHALLENGE],
  ] as const
) {
  test(`every /api route answers 401 to ${name}`, async () => {
    const { app, stores, logs } = adminFixture();
    for (const [request, json] of PROTECTED_REQUESTS) {
      const response = await call(app, request, { authorization, json });
      equal(response.status, 401, request);
      equal(response.headers.get("www-authenticate"), challenge, request);
      equal(typeof response.body.error, "string", request);
    }
    deepEqual(await stores.domains.list(), []);
    deepEqual(await stores.networks.list(), []);
    equal(await stores.users.get("test@example.net"), undefined);
    deepEqual(logs, []);
  });
}

test("the Bearer scheme name is case-insensitive", async () => {
  const { app } = adminFixture();
  const response = await call(app, "GET /api/domains", { authorization: `bearer ${TOKEN}` });
  equal(response.status, 200);
});

test("responses carry no CORS headers, not even to a preflight", async () => {
  const { app } = adminFixture();
  for (const request of ["GET /api/domains", "OPTIONS /api/domains", "GET /healthz"]) {
    const response = await call(app, request);
    deepEqual(
      [...response.headers.keys()].filter((name) => name.startsWith("access-control-")),
      [],
      request,
    );
  }
});

for (
  const token of ["", "short-token", "has a space in it, long enough", "tøken-with-non-ascii-1234"]
) {
  test(`createAdminApp refuses the token ${JSON.stringify(token)}`, () => {
    throws(
      () =>
        createAdminApp({
          stores: createMemoryStores(() => 0),
          token,
          setPassword: () => Promise.resolve({ passwordHash: "x" }),
          now: () => 0,
        }),
      RangeError,
    );
  });
}
