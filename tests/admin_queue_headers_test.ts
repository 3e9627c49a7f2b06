import { deepEqual, equal } from "node:assert/strict";
import { adminFixture, call, NOW } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

test("GET /api/queue/{id}/headers lists the header fields, unfolded, and not the body", async () => {
  const { app, stores } = adminFixture();
  const writer = await stores.queue.create();
  const message = "Received: from client\r\n\tby mail.domain.de\r\nSubject: <b>hi</b>\r\n" +
    "\r\nX-Not-A-Header: body\r\n";
  await writer.write(new TextEncoder().encode(message));
  const { id } = await writer.commit({
    from: "a@example.net",
    to: ["b@example.org"],
    clientAddress: "192.0.2.10",
    helo: "client.example.net",
    receivedAt: NOW,
  });
  const response = await call(app, `GET /api/queue/${id}/headers`);
  equal(response.status, 200);
  deepEqual(response.body, {
    id,
    headers: [
      { name: "Received", value: "from client\tby mail.domain.de" },
      { name: "Subject", value: "<b>hi</b>" },
    ],
    truncated: false,
  });
  equal((await call(app, "GET /api/queue/0000000000000000dead/headers")).status, 404);
  equal((await call(app, "GET /api/queue/nope/headers")).status, 400);
  equal((await call(app, `GET /api/queue/${id}/headers`, { authorization: null })).status, 401);
});
