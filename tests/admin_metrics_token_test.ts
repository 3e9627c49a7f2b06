import { equal, throws } from "node:assert/strict";
import { type AdminDeps, createAdminApp, MAX_TOKEN_FAILURES } from "../admin/mod.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { call, TOKEN } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

const METRICS_TOKEN = "scrape-only-token_0123456789";
const EXPOSITION = "tollgate_queue_messages 0\n";

/** An app with `/metrics` and a metrics token; the client address is the `x-client` header. */
function metricsApp(deps: Partial<AdminDeps> = {}) {
  return createAdminApp({
    stores: createMemoryStores(() => 0),
    token: TOKEN,
    setPassword: () => Promise.resolve({ passwordHash: "$fake$" }),
    now: () => 0,
    metrics: () => Promise.resolve(EXPOSITION),
    metricsToken: METRICS_TOKEN,
    clientAddress: (c) => c.req.raw.headers.get("x-client") ?? "192.0.2.1",
    ...deps,
  });
}

test("GET /metrics accepts the metrics token and the admin token", async () => {
  const app = metricsApp();
  for (const token of [METRICS_TOKEN, TOKEN]) {
    const response = await call(app, "GET /metrics", { authorization: `Bearer ${token}` });
    equal(response.status, 200);
    equal(response.text, EXPOSITION);
  }
  const wrong = await call(app, "GET /metrics", { authorization: `Bearer ${METRICS_TOKEN}x` });
  equal(wrong.status, 401);
});

test("the metrics token opens nothing under /api", async () => {
  const app = metricsApp();
  const authorization = `Bearer ${METRICS_TOKEN}`;
  for (const request of ["GET /api/domains", "PUT /api/domains/example.net", "GET /api/queue"]) {
    const response = await call(app, request, { authorization });
    equal(response.status, 401, request);
    equal(
      response.headers.get("www-authenticate"),
      'Bearer realm="tollgate-admin", error="invalid_token"',
    );
  }
  equal((await call(app, "GET /api/domains")).status, 200, "the admin token still works");
});

test("without a metrics token, /metrics takes only the admin token", async () => {
  const app = metricsApp({ metricsToken: undefined });
  const authorization = `Bearer ${METRICS_TOKEN}`;
  equal((await call(app, "GET /metrics", { authorization })).status, 401);
  equal((await call(app, "GET /metrics")).status, 200);
});

test("failed metrics tokens count towards the failed-token throttle", async () => {
  const app = metricsApp();
  const scrape = (client: string, token: string) =>
    app.request("/metrics", {
      headers: { "x-client": client, authorization: `Bearer ${token}` },
    });
  for (let n = 0; n < MAX_TOKEN_FAILURES; n++) {
    equal((await scrape("203.0.113.9", "not-the-metrics-token-at-all")).status, 401);
  }
  const blocked = await scrape("203.0.113.9", METRICS_TOKEN);
  equal(blocked.status, 429);
  equal(typeof blocked.headers.get("retry-after"), "string");
  equal((await scrape("198.51.100.7", METRICS_TOKEN)).status, 200, "another client");
});

for (const metricsToken of ["short-token", "has a space in it, long enough"]) {
  test(`createAdminApp refuses the metrics token ${JSON.stringify(metricsToken)}`, () => {
    throws(() => metricsApp({ metricsToken }), {
      name: "RangeError",
      message: /metrics token must be at least 16 characters/,
    });
  });
}
