import { deepEqual, equal } from "node:assert/strict";
import {
  type AuditEntry,
  createAdminApp,
  MAX_TOKEN_FAILURES,
  TOKEN_FAILURE_WINDOW_MS,
} from "../admin/mod.ts";
import { auditLogLine } from "../admin/audit_log_line.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { call, TOKEN } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

const WRONG = "Bearer not-the-admin-token-at-all";

/** An app whose clock the test moves, and whose client address is the `x-client` header. */
function hardenedApp() {
  const clock = { now: 1_000_000 };
  const audits: AuditEntry[] = [];
  const logs: string[] = [];
  const stores = createMemoryStores(() => clock.now);
  const app = createAdminApp({
    stores,
    token: TOKEN,
    setPassword: (password) => Promise.resolve({ passwordHash: `$fake$${password.length}` }),
    now: () => clock.now,
    log: (line) => logs.push(line),
    clientAddress: (request) => request.req.raw.headers.get("x-client") ?? "192.0.2.1",
    audit: (entry) => audits.push(entry),
  });
  const request = (line: string, client: string, authorization: string, json?: unknown) => {
    const [method, path] = line.split(" ");
    const headers = new Headers({ "x-client": client, authorization });
    if (json !== undefined) headers.set("content-type", "application/json");
    const body = json === undefined ? undefined : JSON.stringify(json);
    return app.request(path, { method, headers, body });
  };
  return { app, clock, audits, logs, stores, request };
}

test("after too many failed tokens a client gets 429 with Retry-After, even with the right token", async () => {
  const { clock, request } = hardenedApp();
  for (let i = 0; i < MAX_TOKEN_FAILURES; i++) {
    clock.now += 1_000;
    equal((await request("GET /api/domains", "203.0.113.9", WRONG)).status, 401);
  }
  const blocked = await request("GET /api/domains", "203.0.113.9", `Bearer ${TOKEN}`);
  equal(blocked.status, 429);
  const firstFailure = 1_000_000 + 1_000;
  const retryAfter = Math.ceil((firstFailure + TOKEN_FAILURE_WINDOW_MS - clock.now) / 1000);
  equal(blocked.headers.get("retry-after"), String(retryAfter));
  deepEqual(await blocked.json(), {
    error: `Too many failed token checks: retry in ${retryAfter} s`,
  });
  equal((await request("GET /api/domains", "203.0.113.9", WRONG)).status, 429);
  clock.now = firstFailure + TOKEN_FAILURE_WINDOW_MS;
  equal((await request("GET /api/domains", "203.0.113.9", `Bearer ${TOKEN}`)).status, 200);
});

test("failed tokens from one client do not block another; an IPv6 /64 is one client", async () => {
  const { request } = hardenedApp();
  for (let i = 0; i < MAX_TOKEN_FAILURES; i++) {
    await request("GET /api/domains", `2001:db8:1:1::${i + 1}`, WRONG);
  }
  equal((await request("GET /api/domains", "2001:db8:1:1::ffff", `Bearer ${TOKEN}`)).status, 429);
  equal((await request("GET /api/domains", "2001:db8:1:2::1", `Bearer ${TOKEN}`)).status, 200);
  equal((await request("GET /api/domains", "192.0.2.1", `Bearer ${TOKEN}`)).status, 200);
  equal((await request("GET /healthz", "2001:db8:1:1::1", "")).status, 200);
});

test("successful requests never count towards the throttle", async () => {
  const { request } = hardenedApp();
  for (let i = 0; i < 3 * MAX_TOKEN_FAILURES; i++) {
    equal((await request("GET /api/domains", "192.0.2.1", `Bearer ${TOKEN}`)).status, 200);
  }
  for (let i = 0; i < MAX_TOKEN_FAILURES - 1; i++) {
    equal((await request("GET /api/nothing", "192.0.2.1", WRONG)).status, 401);
  }
  equal((await request("GET /api/domains", "192.0.2.1", `Bearer ${TOKEN}`)).status, 200);
});

test("every change attempt by a token holder is audited: who, what, when, outcome", async () => {
  const { clock, audits, request } = hardenedApp();
  const token = `Bearer ${TOKEN}`;
  await request("PUT /api/domains/example.net", "192.0.2.7", token);
  clock.now += 5;
  await request("PUT /api/users/test@example.net", "192.0.2.7", token, { password: "hunter2!" });
  await request("DELETE /api/domains/nothing.example", "198.51.100.1", token);
  await request("POST /api/relay-networks", "192.0.2.7", token, { cidr: "not a network" });
  await request("GET /api/domains", "192.0.2.7", token);
  await request("PUT /api/domains/evil.example", "192.0.2.7", WRONG);
  await request("PUT /api/domains/caf%C3%A9%0A.example", "192.0.2.7", token);
  const entry = (clientAddress: string, method: string, path: string, status: number) => ({
    actor: "admin-token",
    clientAddress,
    method,
    path,
    status,
  });
  deepEqual(audits.map(({ time: _, ...rest }) => rest), [
    entry("192.0.2.7", "PUT", "/api/domains/example.net", 201),
    entry("192.0.2.7", "PUT", "/api/users/test@example.net", 201),
    entry("198.51.100.1", "DELETE", "/api/domains/nothing.example", 404),
    entry("192.0.2.7", "POST", "/api/relay-networks", 400),
    entry("192.0.2.7", "PUT", "/api/domains/caf%C3%A9%0A.example", 400),
  ]);
  deepEqual(audits.map((audit) => audit.time), [
    1_000_000,
    1_000_005,
    1_000_005,
    1_000_005,
    1_000_005,
  ]);
  equal(JSON.stringify(audits).includes("hunter2"), false);
});

test("a change that fails in the store is audited with its 503", async () => {
  const audits: AuditEntry[] = [];
  const stores = createMemoryStores(() => 0);
  stores.domains.add = () => Promise.reject(new Error("disk full"));
  const app = createAdminApp({
    stores,
    token: TOKEN,
    setPassword: () => Promise.reject(new Error("unused")),
    now: () => 7,
    log: () => {},
    audit: (entry) => audits.push(entry),
  });
  const response = await call(app, "PUT /api/domains/example.net");
  equal(response.status, 503);
  deepEqual(audits, [{
    time: 7,
    actor: "admin-token",
    clientAddress: "unknown",
    method: "PUT",
    path: "/api/domains/example.net",
    status: 503,
  }]);
});

test("auditLogLine writes one line with who, what, when and the outcome", () => {
  equal(
    auditLogLine({
      time: Date.UTC(2025, 0, 2, 3, 4, 5),
      actor: "admin-token",
      clientAddress: "192.0.2.1",
      method: "DELETE",
      path: "/api/users/test@domain.de",
      status: 204,
    }),
    "admin audit: 2025-01-02T03:04:05.000Z client=192.0.2.1 actor=admin-token DELETE /api/users/test@domain.de -> 204",
  );
});
