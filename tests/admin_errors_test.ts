import { deepEqual, equal } from "node:assert/strict";
import { MAX_REQUEST_BODY_BYTES } from "../admin/mod.ts";
import type { UserStore } from "../store/types.ts";
import { adminFixture, call, HASH_MARKER, TOKEN } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

for (
  const [name, options, error] of [
    [
      "text that is not JSON",
      { body: '{"cidr": ', contentType: "application/json" },
      "Cannot parse request body: not valid JSON",
    ],
    [
      "no content type",
      { body: '{"cidr": "192.0.2.0/24"}' },
      'Invalid content type "": expected "application/json"',
    ],
    [
      "text/plain",
      { body: '{"cidr": "192.0.2.0/24"}', contentType: "text/plain" },
      'Invalid content type "text/plain": expected "application/json"',
    ],
    ["a JSON array", { json: ["192.0.2.0/24"] }, "Invalid request body: expected a JSON object"],
    ["JSON null", { json: null }, "Invalid request body: expected a JSON object"],
    ["a JSON string", { json: "192.0.2.0/24" }, "Invalid request body: expected a JSON object"],
    ["a missing field", { json: {} }, 'Invalid request body: missing field "cidr"'],
    [
      "an unknown field",
      { json: { cidr: "192.0.2.0/24", note: "x" } },
      'Invalid request body: unknown field "note"',
    ],
    [
      "a field of the wrong type",
      { json: { cidr: 24 } },
      'Invalid request body: field "cidr": Invalid input: expected string, received number',
    ],
  ] as const
) {
  test(`a body with ${name} is refused with 400`, async () => {
    const { app, stores, logs } = adminFixture();
    const response = await call(app, "POST /api/relay-networks", options);
    equal(response.status, 400);
    deepEqual(response.body, { error });
    deepEqual(await stores.networks.list(), []);
    deepEqual(logs, []);
  });
}

test("a content type with parameters and upper case is accepted", async () => {
  const { app } = adminFixture();
  const response = await call(app, "POST /api/relay-networks", {
    body: '{"cidr": "192.0.2.0/24"}',
    contentType: "Application/JSON; charset=utf-8",
  });
  equal(response.status, 201);
});

test("a body over the limit is refused with 413, with or without Content-Length", async () => {
  const { app, stores } = adminFixture();
  const padding = "x".repeat(MAX_REQUEST_BODY_BYTES);
  const body = JSON.stringify({ password: padding });
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const declared = await app.request("/api/users/test@domain.de", {
    method: "PUT",
    headers: { ...headers, "content-length": String(body.length) },
    body,
  });
  equal(declared.status, 413);
  deepEqual(await declared.json(), { error: "Request body larger than 65536 bytes" });
  // A streamed request body needs `duplex` in Node.js (fetch spec); Deno's types lack it.
  const streamedInit: RequestInit & { duplex: "half" } = {
    method: "PUT",
    headers,
    body: ReadableStream.from([new TextEncoder().encode(body)]),
    duplex: "half",
  };
  const streamed = await app.request("/api/users/test@domain.de", streamedInit);
  equal(streamed.status, 413);
  equal(await stores.users.get("test@domain.de"), undefined);
});

test("a body at the limit is read (and judged on its content)", async () => {
  const { app } = adminFixture();
  const body = JSON.stringify({ cidr: "192.0.2.0/24" }).padEnd(MAX_REQUEST_BODY_BYTES, " ");
  const response = await call(app, "POST /api/relay-networks", {
    body,
    contentType: "application/json",
  });
  equal(response.status, 201);
});

for (
  const request of [
    "GET /ui/nope.js",
    "GET /nope",
    "GET /api",
    "GET /api/nope",
    "POST /api/domains",
    "PATCH /api/users/a@b.example",
  ]
) {
  test(`${request} is an unknown route: 404 JSON`, async () => {
    const { app } = adminFixture();
    const response = await call(app, request);
    equal(response.status, 404);
    equal(response.headers.get("content-type"), "application/json");
    deepEqual(response.body, { error: `Not found: ${request}` });
  });
}

function failingUserStore(message: string): UserStore {
  const fail = () => Promise.reject(new Error(message));
  return { get: fail, put: fail, remove: fail, list: fail };
}

test("a store that throws gives 503 JSON and one log line", async () => {
  const { app, logs } = adminFixture({ stores: { users: failingUserStore("connection refused") } });
  for (const request of ["GET /api/users", "DELETE /api/users/test@domain.de"]) {
    const response = await call(app, request);
    equal(response.status, 503, request);
    deepEqual(response.body, { error: "Service unavailable: the store failed; try again later" });
  }
  deepEqual(logs, [
    "admin: GET /api/users failed: Error: connection refused",
    "admin: DELETE /api/users/test@domain.de failed: Error: connection refused",
  ]);
});

test("a failed password change logs neither the password nor the hash", async () => {
  const { app, stores, logs } = adminFixture();
  stores.users.put = () => Promise.reject(new TypeError("database is locked"));
  const password = "never-in-a-log-line";
  const response = await call(app, "PUT /api/users/test@domain.de", { json: { password } });
  equal(response.status, 503);
  deepEqual(logs, ["admin: PUT /api/users/test@domain.de failed: TypeError: database is locked"]);
  for (const text of [response.text, ...logs]) {
    equal(text.includes(password), false);
    equal(text.includes(HASH_MARKER), false);
  }
});
