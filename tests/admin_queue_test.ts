import { deepEqual, equal } from "node:assert/strict";
import type { Envelope, MessageQueue } from "../store/types.ts";
import { adminFixture, call } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

async function enqueue(queue: MessageQueue, body: string, envelope: Envelope): Promise<string> {
  const writer = await queue.create();
  await writer.write(new TextEncoder().encode(body));
  return (await writer.commit(envelope)).id;
}

test("GET /api/queue lists committed envelopes with ISO times", async () => {
  const { app, stores } = adminFixture();
  const first = await enqueue(stores.queue, "Subject: one\r\n\r\nhi\r\n", {
    from: "a@example.net",
    to: ["b@example.org", "c@example.org"],
    authUser: "a@example.net",
    clientAddress: "192.0.2.10",
    helo: "client.example.net",
    receivedAt: Date.UTC(2024, 4, 6, 7, 8, 9, 10),
  });
  const second = await enqueue(stores.queue, "x", {
    from: "",
    to: ["postmaster@example.net"],
    clientAddress: "2001:db8::1",
    helo: "[2001:db8::1]",
    receivedAt: 0,
  });
  const uncommitted = await stores.queue.create();
  await uncommitted.write(new TextEncoder().encode("not yet"));

  const response = await call(app, "GET /api/queue");
  equal(response.status, 200);
  deepEqual(response.body, {
    messages: [
      {
        id: first,
        from: "a@example.net",
        to: ["b@example.org", "c@example.org"],
        authUser: "a@example.net",
        clientAddress: "192.0.2.10",
        helo: "client.example.net",
        receivedAt: "2024-05-06T07:08:09.010Z",
        size: 20,
        held: false,
      },
      {
        id: second,
        from: "",
        to: ["postmaster@example.net"],
        authUser: null,
        clientAddress: "2001:db8::1",
        helo: "[2001:db8::1]",
        receivedAt: "1970-01-01T00:00:00.000Z",
        size: 1,
        held: false,
      },
    ],
  });
});

test("GET /api/queue pages through more than two pages with the cursor", async () => {
  const { app, stores } = adminFixture();
  const ids: string[] = [];
  for (let index = 0; index < 5; index++) {
    ids.push(
      await enqueue(stores.queue, `message ${index}`, {
        from: "a@example.net",
        to: ["b@example.org"],
        clientAddress: "192.0.2.10",
        helo: "client",
        receivedAt: index,
      }),
    );
  }
  const pages: string[][] = [];
  let query = "?limit=2";
  for (;;) {
    const response = await call(app, `GET /api/queue${query}`);
    equal(response.status, 200);
    pages.push(response.body.messages.map((message: { id: string }) => message.id));
    if (response.body.cursor === undefined) break;
    query = `?limit=2&cursor=${encodeURIComponent(response.body.cursor)}`;
  }
  deepEqual(pages, [ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
});

test("GET /api/queue accepts limits from 1 to 100000", async () => {
  const { app } = adminFixture();
  for (const limit of ["1", "100000", "000007"]) {
    const response = await call(app, `GET /api/queue?limit=${limit}`);
    equal(response.status, 200, limit);
    deepEqual(response.body, { messages: [] });
  }
});

for (const query of ["limit=0", "limit=100001", "limit=-1", "limit=1.5", "limit=", "limit=ten"]) {
  test(`GET /api/queue?${query} is refused with 400`, async () => {
    const { app } = adminFixture();
    const response = await call(app, `GET /api/queue?${query}`);
    equal(response.status, 400);
    deepEqual(response.body, {
      error: 'Invalid query parameter "limit": expected an integer from 1 to 100000',
    });
  });
}

for (const query of ["cursor=", `cursor=${"c".repeat(1025)}`]) {
  test(`GET /api/queue and /api/users refuse ${query.slice(0, 12)} with 400`, async () => {
    const { app } = adminFixture();
    for (const path of ["/api/queue", "/api/users"]) {
      const response = await call(app, `GET ${path}?${query}`);
      equal(response.status, 400, path);
      deepEqual(response.body, {
        error: 'Invalid query parameter "cursor": expected 1 to 1024 characters',
      });
    }
  });
}

test("GET /api/queue/stats counts messages, held ones and bytes, and names the oldest receipt", async () => {
  const { app, stores } = adminFixture();
  deepEqual((await call(app, "GET /api/queue/stats")).body, {
    messages: 0,
    held: 0,
    bytes: 0,
    oldestReceivedAt: null,
  });
  const envelope = { from: "a@example.net", clientAddress: "192.0.2.10", helo: "client" };
  const first = await enqueue(stores.queue, "Subject: one\r\n\r\nhi\r\n", {
    ...envelope,
    to: ["b@example.org"],
    receivedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  });
  await enqueue(stores.queue, "x", {
    ...envelope,
    to: ["c@example.org"],
    receivedAt: Date.UTC(2026, 0, 2, 3, 4, 6),
  });
  equal((await call(app, `POST /api/queue/${first}/hold`)).status, 200);
  const response = await call(app, "GET /api/queue/stats");
  equal(response.status, 200);
  deepEqual(response.body, {
    messages: 2,
    held: 1,
    bytes: 20 + 1,
    oldestReceivedAt: "2026-01-02T03:04:05.000Z",
  });
});
