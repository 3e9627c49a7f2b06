import { deepEqual, equal } from "node:assert/strict";
import { checkSender } from "../relay/sender_policy.ts";
import { adminFixture, call } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

test("POST /api/users/{address}/senders grants an address or a domain, lower-cased", async () => {
  const { app, stores, logs } = adminFixture();
  const created = await call(app, "POST /api/users/Test@Domain.de/senders", {
    json: { sender: "Info@Domain.DE" },
  });
  equal(created.status, 201);
  deepEqual(created.body, { user: "test@domain.de", sender: "info@domain.de" });
  const again = await call(app, "POST /api/users/test@domain.de/senders", {
    json: { sender: "info@domain.de" },
  });
  equal(again.status, 200);
  const domain = await call(app, "POST /api/users/test@domain.de/senders", {
    json: { sender: "@Shop.Domain.de." },
  });
  equal(domain.status, 201);
  deepEqual(domain.body, { user: "test@domain.de", sender: "@shop.domain.de" });
  deepEqual(await stores.senders.list("test@domain.de"), ["@shop.domain.de", "info@domain.de"]);
  deepEqual(logs, [
    "admin: allowed sender info@domain.de for user test@domain.de",
    "admin: allowed sender @shop.domain.de for user test@domain.de",
  ]);
  const listed = await call(app, "GET /api/users/TEST@domain.de/senders");
  equal(listed.status, 200);
  deepEqual(listed.body, {
    user: "test@domain.de",
    senders: ["@shop.domain.de", "info@domain.de"],
  });
});

test("a granted sender is accepted by the sender check, a withdrawn one is not", async () => {
  const { app, stores } = adminFixture();
  await call(app, "POST /api/users/test@domain.de/senders", { json: { sender: "@shop.de" } });
  const request = { sender: "sales@shop.de", authenticatedUser: "test@domain.de" };
  deepEqual(await checkSender(request, stores), { kind: "accept" });
  const removed = await call(app, "DELETE /api/users/test@domain.de/senders/@SHOP.de");
  equal(removed.status, 204);
  deepEqual(await checkSender(request, stores), { kind: "reject" });
});

test("DELETE /api/users/{address}/senders/{sender} answers 404 for a sender not granted", async () => {
  const { app, logs } = adminFixture();
  const response = await call(app, "DELETE /api/users/test@domain.de/senders/x@domain.de");
  equal(response.status, 404);
  deepEqual(response.body, { error: "No such sender for test@domain.de: x@domain.de" });
  deepEqual(logs, []);
});

test("the sender routes refuse malformed users, senders and bodies with 400", async () => {
  const { app, stores } = adminFixture();
  const cases: [string, unknown, string][] = [
    ["POST /api/users/nobody/senders", { sender: "a@b.de" }, "Cannot parse address: missing '@'"],
    [
      "POST /api/users/a@b.de/senders",
      { sender: "@.b.de" },
      "Cannot parse sender: '@' must be followed by a domain, not '.'",
    ],
    ["POST /api/users/a@b.de/senders", { sender: "@" }, "Cannot parse domain: empty entry"],
    ["POST /api/users/a@b.de/senders", { sender: "no-at" }, "Cannot parse address: missing '@'"],
    [
      "POST /api/users/a@b.de/senders",
      { sender: "x y@b.de" },
      "Cannot parse address: whitespace or control character in local part",
    ],
    [
      "POST /api/users/a@b.de/senders",
      { sender: 1 },
      'Invalid request body: field "sender": Invalid input: expected string, received number',
    ],
    [
      "POST /api/users/a@b.de/senders",
      { sender: "a@b.de", extra: 1 },
      'Invalid request body: unknown field "extra"',
    ],
    ["GET /api/users/nobody/senders", undefined, "Cannot parse address: missing '@'"],
    [
      "DELETE /api/users/a@b.de/senders/@.b.de",
      undefined,
      "Cannot parse sender: '@' must be followed by a domain, not '.'",
    ],
  ];
  for (const [request, json, error] of cases) {
    const response = await call(app, request, { json });
    equal(response.status, 400, request);
    deepEqual(response.body, { error }, request);
  }
  deepEqual(await stores.senders.list("a@b.de"), []);
});

test("the sender routes need the token", async () => {
  const { app, stores } = adminFixture();
  const response = await call(app, "POST /api/users/a@b.de/senders", {
    json: { sender: "@evil.example" },
    authorization: null,
  });
  equal(response.status, 401);
  deepEqual(await stores.senders.list("a@b.de"), []);
});
