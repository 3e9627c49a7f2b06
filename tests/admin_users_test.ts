import { deepEqual, equal, match } from "node:assert/strict";
import {
  adminFixture,
  call,
  type CallResult,
  CRAM_MARKER,
  HASH_MARKER,
  NOW,
} from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

const NOW_ISO = new Date(NOW).toISOString();

test("PUT /api/users/{address} creates a user (201), then re-passwords it (200)", async () => {
  const { app, stores, logs } = adminFixture();
  const created = await call(app, "PUT /api/users/Test@Domain.DE", { json: { password: "first" } });
  equal(created.status, 201);
  deepEqual(created.body, { address: "test@domain.de", updatedAt: NOW_ISO, cramMd5: false });
  equal((await stores.users.get("test@domain.de"))?.passwordHash, `$fake$${HASH_MARKER}:first`);

  const changed = await call(app, "PUT /api/users/test@domain.de", {
    json: { password: "second" },
  });
  equal(changed.status, 200);
  deepEqual(changed.body, { address: "test@domain.de", updatedAt: NOW_ISO, cramMd5: false });
  equal((await stores.users.get("test@domain.de"))?.passwordHash, `$fake$${HASH_MARKER}:second`);
  deepEqual(logs, [
    "admin: created user test@domain.de (without CRAM-MD5 secret)",
    "admin: changed password of user test@domain.de (without CRAM-MD5 secret)",
  ]);
});

test("PUT /api/users stores the CRAM-MD5 secret when the hasher gives one", async () => {
  const { app, stores, logs } = adminFixture({ cramMd5: true });
  const created = await call(app, "PUT /api/users/test@domain.de", { json: { password: "pw" } });
  equal(created.status, 201);
  equal(created.body.cramMd5, true);
  equal((await stores.users.get("test@domain.de"))?.cramMd5Secret, `${CRAM_MARKER}:pw`);
  deepEqual(logs, ["admin: created user test@domain.de (with CRAM-MD5 secret)"]);
});

test("GET /api/users lists users without secrets", async () => {
  const { app } = adminFixture({ cramMd5: true });
  await call(app, "PUT /api/users/b@example.net", { json: { password: "pw-b" } });
  await call(app, "PUT /api/users/a@example.net", { json: { password: "pw-a" } });
  const response = await call(app, "GET /api/users");
  equal(response.status, 200);
  deepEqual(response.body, {
    users: [
      { address: "a@example.net", updatedAt: NOW_ISO, cramMd5: true },
      { address: "b@example.net", updatedAt: NOW_ISO, cramMd5: true },
    ],
  });
});

test("GET /api/users pages through more than two pages with the cursor", async () => {
  const { app } = adminFixture();
  const addresses = ["u1", "u2", "u3", "u4", "u5", "u6", "u7"].map((name) => `${name}@example.net`);
  for (const address of addresses) {
    equal((await call(app, `PUT /api/users/${address}`, { json: { password: "pw" } })).status, 201);
  }
  const pages: string[][] = [];
  let query = "?limit=3";
  for (;;) {
    const response = await call(app, `GET /api/users${query}`);
    equal(response.status, 200);
    pages.push(response.body.users.map((user: { address: string }) => user.address));
    if (response.body.cursor === undefined) break;
    query = `?limit=3&cursor=${encodeURIComponent(response.body.cursor)}`;
  }
  deepEqual(pages, [addresses.slice(0, 3), addresses.slice(3, 6), addresses.slice(6)]);
});

test("DELETE /api/users/{address} removes the user (204), then 404", async () => {
  const { app, stores, logs } = adminFixture();
  await call(app, "PUT /api/users/test@domain.de", { json: { password: "pw" } });
  const removed = await call(app, "DELETE /api/users/TEST@domain.de");
  equal(removed.status, 204);
  equal(await stores.users.get("test@domain.de"), undefined);
  const missing = await call(app, "DELETE /api/users/test@domain.de");
  equal(missing.status, 404);
  deepEqual(missing.body, { error: "No such user: test@domain.de" });
  deepEqual(logs.slice(1), ["admin: removed user test@domain.de"]);
});

for (
  const [address, error] of [
    ["no-at-sign.example", "Cannot parse address: missing '@'"],
    ["@example.net", "Cannot parse address: empty local part"],
    ["a%20b@example.net", "Cannot parse address: whitespace or control character in local part"],
    ["a@.example.net", "Cannot parse address: domain starts with '.'"],
    ["a@exa_mple.net", /^Cannot parse domain: /],
  ] as const
) {
  test(`PUT and DELETE /api/users/${address} are refused with 400`, async () => {
    const { app, logs } = adminFixture();
    for (const request of [`PUT /api/users/${address}`, `DELETE /api/users/${address}`]) {
      const response = await call(app, request, { json: { password: "pw" } });
      equal(response.status, 400, request);
      match(response.body.error, typeof error === "string" ? new RegExp(`^${error}$`) : error);
    }
    deepEqual(logs, []);
  });
}

for (
  const [name, password, error] of [
    ["an empty password", "", 'field "password": must not be empty'],
    ["a password with NUL", "a\0b", 'field "password": must not contain NUL'],
    ["a password over 1024 characters", "p".repeat(1025), 'field "password": must be at most 1024'],
    ["a password that is not a string", 12345, 'field "password": Invalid input'],
  ] as const
) {
  test(`PUT /api/users refuses ${name} with 400, without echoing it`, async () => {
    const { app, stores } = adminFixture();
    const response = await call(app, "PUT /api/users/test@domain.de", { json: { password } });
    equal(response.status, 400);
    equal(response.body.error.startsWith(`Invalid request body: ${error}`), true, response.text);
    if (typeof password === "string" && password.length > 0) {
      equal(response.text.includes(password), false);
    }
    equal(await stores.users.get("test@domain.de"), undefined);
  });
}

test("no response body and no log line contains a password, hash or secret", async () => {
  const { app, logs } = adminFixture({ cramMd5: true });
  const password = "Pa55-word-that-must-never-leak";
  const responses: CallResult[] = [
    await call(app, "PUT /api/users/test@domain.de", { json: { password } }),
    await call(app, "PUT /api/users/test@domain.de", { json: { password } }),
    await call(app, "PUT /api/users/test@domain.de", { json: { password, extra: password } }),
    await call(app, "PUT /api/users/bad%20address@domain.de", { json: { password } }),
    await call(app, "PUT /api/users/test@domain.de", { body: `{"password":"${password}"` }),
    await call(app, "GET /api/users"),
    await call(app, "GET /api/users?limit=1"),
    await call(app, "DELETE /api/users/test@domain.de"),
  ];
  deepEqual(responses.map((response) => response.status), [201, 200, 400, 400, 400, 200, 200, 204]);
  for (const text of [...responses.map((response) => response.text), ...logs]) {
    for (const secret of [password, HASH_MARKER, CRAM_MARKER, "$fake$"]) {
      equal(text.includes(secret), false, `${JSON.stringify(secret)} leaked in: ${text}`);
    }
  }
});
