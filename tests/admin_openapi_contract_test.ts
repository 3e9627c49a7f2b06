/**
 * The OpenAPI document tells the truth: real requests to every operation,
 * succeeding and failing, each reply held to the status, media type, headers
 * and schema the document gives for it.
 */

import { deepEqual, equal } from "node:assert/strict";
import { type AdminApp, createAdminApp, MAX_TOKEN_FAILURES } from "../admin/mod.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import type { Stores } from "../store/types.ts";
import { adminFixture, type CallResult, NOW, TOKEN } from "./_admin_fixture.ts";
import { contractChecker, fetchDocument, operationsOf } from "./_openapi_contract.ts";
import { test } from "./_portable.ts";

/** An app with every optional part: metrics, a route probe, OAuth state, throttling, audit. */
function fullApp(stores: Stores = createMemoryStores(() => NOW)): AdminApp {
  return createAdminApp({
    stores,
    token: TOKEN,
    setPassword: (password) => Promise.resolve({ passwordHash: `$fake$${password.length}` }),
    now: () => NOW,
    metrics: () => Promise.resolve("# TYPE tollgate_up gauge\ntollgate_up 1\n"),
    probeRoute: (route) =>
      Promise.resolve({
        steps: [{ step: "connect", ok: true, detail: `connected to ${route.relay}` }],
      }),
    routeOAuthState: (route) =>
      route.oauth2 ? { status: "ok", detail: "token issued", since: NOW } : undefined,
    clientAddress: () => "192.0.2.1",
    audit: () => {},
  });
}

async function enqueue(stores: Stores): Promise<string> {
  const writer = await stores.queue.create();
  await writer.write(new TextEncoder().encode("Subject: one\r\n\r\nhi\r\n"));
  const message = await writer.commit({
    from: "a@example.net",
    to: ["b@example.org"],
    clientAddress: "192.0.2.10",
    helo: "client.example.net",
    receivedAt: NOW,
  });
  return message.id;
}

type Step = [string, Parameters<Awaited<ReturnType<typeof contractChecker>>["call"]>[1], number];

const OAUTH_ROUTE = {
  relay: "smtp.gmail.example",
  port: 587,
  auth: {
    mechanism: "xoauth2",
    user: "kunde@gmail.example",
    oauth2: { tokenUrl: "https://oauth.example/token", clientId: "client", clientSecret: "s" },
  },
};

function steps(id: string): Step[] {
  const missing = "0000000000000000dead";
  return [
    ["GET /healthz", { authorization: null }, 200],
    ["GET /api/openapi.json", { authorization: null }, 200],
    ["GET /api/docs", { authorization: null }, 200],
    ["GET /metrics", {}, 200],
    ["GET /metrics", { authorization: null }, 401],
    ["GET /api/domains", { authorization: null }, 401],
    ["GET /api/domains", { authorization: "Bearer wrong-token-0123456789" }, 401],
    ["GET /api/domains", {}, 200],
    ["PUT /api/domains/example.net", {}, 201],
    ["PUT /api/domains/Example.NET", {}, 200],
    ["PUT /api/domains/exa_mple.net", {}, 400],
    ["DELETE /api/domains/example.net", {}, 204],
    ["DELETE /api/domains/example.net", {}, 404],
    ["DELETE /api/domains/a..b", {}, 400],
    ["PUT /api/users/a@example.net", { json: { password: "pw" } }, 201],
    ["PUT /api/users/a@example.net", { json: { password: "pw2" } }, 200],
    [
      "PUT /api/users/b@example.net",
      { json: { passwordHash: "{CRAM-MD5}" + "0".repeat(64) } },
      201,
    ],
    ["PUT /api/users/c@example.net", { json: { passwordHash: "{PLAIN}x" } }, 400],
    ["PUT /api/users/c@example.net", { json: { password: "" } }, 400],
    ["PUT /api/users/c@example.net", { body: "{}", contentType: "text/plain" }, 400],
    ["PUT /api/users/no-at", { json: { password: "pw" } }, 400],
    ["PUT /api/users/c@example.net", { json: { password: "x".repeat(70_000) } }, 413],
    ["GET /api/users", {}, 200],
    ["GET /api/users?limit=1", {}, 200],
    ["GET /api/users?limit=0", {}, 400],
    ["POST /api/users/import?format=passwd-file", { body: "d@example.net:{PLAIN}x\n" }, 200],
    ["POST /api/users/import?format=shadow", { body: "" }, 400],
    ["POST /api/users/import?format=vpasswd", { body: "" }, 400],
    ["DELETE /api/users/a@example.net", {}, 204],
    ["DELETE /api/users/a@example.net", {}, 404],
    ["DELETE /api/users/no-at", {}, 400],
    ["GET /api/users/b@example.net/senders", {}, 200],
    ["GET /api/users/no-at/senders", {}, 400],
    ["POST /api/users/b@example.net/senders", { json: { sender: "@Example.org" } }, 201],
    ["POST /api/users/b@example.net/senders", { json: { sender: "@example.org" } }, 200],
    ["POST /api/users/b@example.net/senders", { json: { sender: "@.example.org" } }, 400],
    ["POST /api/users/b@example.net/senders", { json: { sender: 1 } }, 400],
    ["DELETE /api/users/b@example.net/senders/@example.org", {}, 204],
    ["DELETE /api/users/b@example.net/senders/@example.org", {}, 404],
    ["DELETE /api/users/b@example.net/senders/@.example.org", {}, 400],
    ["GET /api/relay-networks", {}, 200],
    ["POST /api/relay-networks", { json: { cidr: "192.0.2.0/24" } }, 201],
    ["POST /api/relay-networks", { json: { cidr: "192.0.2.0/24" } }, 200],
    ["POST /api/relay-networks", { json: { cidr: "192.0.2.1/24" } }, 400],
    ["POST /api/relay-networks", { json: ["192.0.2.0/24"] }, 400],
    ["POST /api/relay-networks", { body: '{"cidr": ', contentType: "application/json" }, 400],
    ["DELETE /api/relay-networks/192.0.2.0%2F24", {}, 204],
    ["DELETE /api/relay-networks/192.0.2.0%2F24", {}, 404],
    ["DELETE /api/relay-networks/not-a-network", {}, 400],
    ["GET /api/routes", {}, 200],
    ["PUT /api/routes/example.com", { json: { relay: "mail.provider.de", port: 587 } }, 201],
    ["PUT /api/routes/example.com", { json: { relay: "mail.provider.de", tls: "none" } }, 200],
    ["PUT /api/routes/gmail.example", { json: OAUTH_ROUTE }, 201],
    ["PUT /api/routes/*.example.com", { json: {} }, 400],
    ["PUT /api/routes/mx.example", { json: {} }, 201],
    ["GET /api/routes", {}, 200],
    ["GET /api/routes/resolve?domain=example.com", {}, 200],
    ["GET /api/routes/resolve?domain=other.example", {}, 200],
    ["GET /api/routes/resolve", {}, 400],
    ["POST /api/routes/example.com/test", {}, 200],
    ["POST /api/routes/mx.example/test", {}, 400],
    ["POST /api/routes/nothing.example/test", {}, 404],
    [
      "POST /api/routes/import",
      { body: "a.example:relay.example:25\n", contentType: "text/plain" },
      200,
    ],
    [
      "POST /api/routes/import",
      { body: "a.example:relay.example:x\n", contentType: "text/plain" },
      400,
    ],
    ["POST /api/routes/import", { body: "a.example:relay.example\n" }, 400],
    ["POST /api/routes/import?credentials=rot13", { body: "", contentType: "text/plain" }, 400],
    ["GET /api/routes/export", {}, 200],
    ["GET /api/routes/export?form=json", {}, 200],
    ["GET /api/routes/export?form=xml", {}, 400],
    ["DELETE /api/routes/example.com", {}, 204],
    ["DELETE /api/routes/example.com", {}, 404],
    ["DELETE /api/routes/*.example.com", {}, 400],
    ["GET /api/dkim", {}, 200],
    ["PUT /api/dkim/example.net", { json: { selector: "s2026" } }, 201],
    ["PUT /api/dkim/example.net", {}, 201],
    ["PUT /api/dkim/example.net", { json: { selector: "s2026" } }, 400],
    ["PUT /api/dkim/.example.net", {}, 400],
    ["GET /api/dkim", {}, 200],
    ["GET /api/dkim/example.net", {}, 200],
    ["GET /api/dkim/example.org", {}, 404],
    ["GET /api/dkim/a..b", {}, 400],
    ["DELETE /api/dkim/example.net/s2026", {}, 204],
    ["DELETE /api/dkim/example.net/s2026", {}, 404],
    ["DELETE /api/dkim/a..b/s2026", {}, 400],
    ["DELETE /api/dkim/example.net", {}, 204],
    ["DELETE /api/dkim/example.net", {}, 404],
    ["DELETE /api/dkim/a..b", {}, 400],
    ["GET /api/queue", {}, 200],
    ["GET /api/queue/stats", {}, 200],
    ["GET /api/queue?cursor=", {}, 400],
    [`GET /api/queue/${id}`, {}, 200],
    [`GET /api/queue/${missing}`, {}, 404],
    ["GET /api/queue/XYZ", {}, 400],
    [`GET /api/queue/${id}/headers`, {}, 200],
    [`GET /api/queue/${missing}/headers`, {}, 404],
    ["GET /api/queue/XYZ/headers", {}, 400],
    [`POST /api/queue/${id}/retry`, {}, 200],
    [`POST /api/queue/${id}/hold`, {}, 200],
    [`POST /api/queue/${id}/retry`, {}, 409],
    ["POST /api/queue/retry", { json: { domain: "example.org" } }, 200],
    ["POST /api/queue/release", { json: { route: "*" } }, 200],
    [`POST /api/queue/${id}/release`, {}, 200],
    ["POST /api/queue/hold", { json: { domain: "Example.ORG" } }, 200],
    ["POST /api/queue/hold", { json: { nothing: 1 } }, 400],
    ["POST /api/queue/release", { json: { route: "" } }, 400],
    ["POST /api/queue/retry", { body: '{"route": "*"}' }, 400],
    [`POST /api/queue/${missing}/hold`, {}, 404],
    [`POST /api/queue/${missing}/release`, {}, 404],
    [`POST /api/queue/${missing}/retry`, {}, 404],
    ["POST /api/queue/XYZ/hold", {}, 400],
    ["POST /api/queue/XYZ/release", {}, 400],
    ["POST /api/queue/XYZ/retry", {}, 400],
    [`DELETE /api/queue/${id}`, {}, 204],
    [`DELETE /api/queue/${id}`, {}, 404],
    ["DELETE /api/queue/XYZ", {}, 400],
  ];
}

async function expectStatus(result: Promise<CallResult>, status: number, request: string) {
  const { status: got, text } = await result;
  equal(got, status, `${request}: ${text.slice(0, 300)}`);
}

test("every operation answers as the document says, succeeding and failing", async () => {
  const stores = createMemoryStores(() => NOW);
  const app = fullApp(stores);
  const checker = await contractChecker(app);
  const id = await enqueue(stores);
  for (const [request, options, status] of steps(id)) {
    await expectStatus(checker.call(request, options), status, request);
  }

  const { seen } = checker;
  const failingStores = createMemoryStores(() => NOW);
  failingStores.domains.list = () => Promise.reject(new Error("disk on fire"));
  const failing = await contractChecker(fullApp(failingStores), seen);
  await expectStatus(failing.call("GET /api/domains"), 503, "GET /api/domains");
  const bare = await contractChecker(adminFixture().app, seen);
  await expectStatus(bare.call("GET /metrics"), 404, "GET /metrics");
  await expectStatus(bare.call("POST /api/routes/mx.example/test"), 404, "test");
  await bare.call("PUT /api/routes/example.com", { json: { relay: "mail.provider.de" } });
  await expectStatus(bare.call("POST /api/routes/example.com/test"), 501, "test");
  const throttled = await contractChecker(fullApp(), seen);
  for (let k = 0; k < MAX_TOKEN_FAILURES; k++) {
    await throttled.call("GET /api/domains", { authorization: "Bearer wrong-token-0123456789" });
  }
  await expectStatus(throttled.call("GET /api/domains"), 429, "GET /api/domains");
  await expectStatus(throttled.call("GET /metrics"), 429, "GET /metrics");

  const operations = operationsOf(await fetchDocument(app));
  const withoutSuccess = operations
    .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
    .filter((key) => ![...seen.get(key) ?? []].some((status) => status < 300));
  deepEqual(withoutSuccess, [], "operations never called with success");
  const appWide = [401, 413, 429, 503].filter((status) =>
    ![...seen.values()].some((statuses) => statuses.has(status))
  );
  deepEqual(appWide, [], "app-wide responses never seen");
});
