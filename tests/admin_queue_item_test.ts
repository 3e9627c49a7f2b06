import { deepEqual, equal } from "node:assert/strict";
import type { Stores } from "../store/types.ts";
import { adminFixture, call, NOW } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

async function enqueue(stores: Stores): Promise<string> {
  const writer = await stores.queue.create();
  await writer.write(new TextEncoder().encode("Subject: one\r\n\r\nhi\r\n"));
  const message = await writer.commit({
    from: "a@example.net",
    to: ["b@example.org", "c@example.org"],
    authUser: "a@example.net",
    clientAddress: "192.0.2.10",
    helo: "client.example.net",
    receivedAt: NOW - 3_600_000,
  });
  return message.id;
}

test("GET /api/queue/{id} shows the envelope and each recipient's delivery state", async () => {
  const { app, stores } = adminFixture();
  const id = await enqueue(stores);
  await stores.queue.update(id, {
    nextAttemptAt: NOW + 300_000,
    recipients: [
      { address: "b@example.org", status: "delivered", attempts: 1, lastReply: "250 ok" },
      {
        address: "c@example.org",
        status: "queued",
        attempts: 2,
        lastReply: "AUTH rejected: 535 5.7.8 authentication failed",
        lastAttemptAt: NOW - 60_000,
      },
    ],
  });
  const response = await call(app, `GET /api/queue/${id}`);
  equal(response.status, 200);
  deepEqual(response.body, {
    id,
    from: "a@example.net",
    to: ["b@example.org", "c@example.org"],
    authUser: "a@example.net",
    clientAddress: "192.0.2.10",
    helo: "client.example.net",
    receivedAt: "2024-01-02T02:04:05.000Z",
    size: 20,
    held: false,
    nextAttemptAt: "2024-01-02T03:09:05.000Z",
    recipients: [
      {
        address: "b@example.org",
        status: "delivered",
        attempts: 1,
        lastReply: "250 ok",
        lastAttemptAt: null,
      },
      {
        address: "c@example.org",
        status: "queued",
        attempts: 2,
        lastReply: "AUTH rejected: 535 5.7.8 authentication failed",
        lastAttemptAt: "2024-01-02T03:03:05.000Z",
      },
    ],
  });
});

test("POST /api/queue/{id}/retry makes the message due now and keeps its history", async () => {
  const { app, stores, logs } = adminFixture();
  const id = await enqueue(stores);
  const later = {
    nextAttemptAt: NOW + 3_600_000,
    recipients: [
      { address: "b@example.org", status: "queued" as const, attempts: 3, lastReply: "451 later" },
      { address: "c@example.org", status: "queued" as const, attempts: 3, lastReply: "451 later" },
    ],
  };
  await stores.queue.update(id, later);
  deepEqual(await stores.queue.due(NOW, 10), []);
  const response = await call(app, `POST /api/queue/${id}/retry`);
  equal(response.status, 200);
  equal(response.body.nextAttemptAt, new Date(NOW).toISOString());
  deepEqual(await stores.queue.delivery(id), { ...later, nextAttemptAt: NOW });
  deepEqual((await stores.queue.due(NOW, 10)).map((due) => due.message.id), [id]);
  deepEqual(logs.filter((line) => line.includes(id)), [`queue ${id} retry now`]);
});

test("DELETE /api/queue/{id} removes the message; unknown and malformed ids", async () => {
  const { app, stores, logs } = adminFixture();
  const id = await enqueue(stores);
  equal((await call(app, `DELETE /api/queue/${id}`)).status, 204);
  equal(await stores.queue.get(id), undefined);
  equal(logs.includes(`queue ${id} deleted`), true);
  for (
    const request of [
      `GET /api/queue/${id}`,
      `POST /api/queue/${id}/retry`,
      `DELETE /api/queue/${id}`,
    ]
  ) {
    const response = await call(app, request);
    equal(response.status, 404, request);
    deepEqual(response.body, { error: `No queued message ${id}` });
  }
  const malformed = await call(app, "GET /api/queue/..%2Fetc");
  equal(malformed.status, 400);
  equal((await call(app, "POST /api/queue/XYZ/retry")).status, 400);
  equal((await call(app, `GET /api/queue/${id}`, { authorization: null })).status, 401);
});
