/**
 * What several nodes on one PostgreSQL share besides the stores: login
 * failures and bans, and the end of cached password checks after an admin
 * change. Each "node" is its own pool over one schema.
 */
import { deepEqual, equal } from "node:assert/strict";
import { SharedLoginLimiter } from "../auth/shared_login_limiter.ts";
import { hashPassword } from "../auth/password_hash.ts";
import { createAdminApp } from "../admin/app.ts";
import { createAuthBackend } from "../runtime/deno/auth_backend.ts";
import { openPostgresStores } from "../runtime/postgres/mod.ts";
import { type RunningPostgres, startPostgres } from "./_postgres.ts";
import { call, TOKEN } from "./_admin_fixture.ts";

let server: Promise<RunningPostgres> | undefined;
let schemas = 0;
const postgres = () => server ??= startPostgres();

/** Two nodes' stores over one fresh schema. */
async function twoNodes() {
  const { url } = await postgres();
  const schema = `cluster_${++schemas}`;
  const a = await openPostgresStores(url, { schema, pool: { max: 2 } });
  const b = await openPostgresStores(url, { schema, pool: { max: 2 } });
  return { a, b, close: () => Promise.all([a.close(), b.close()]) };
}

Deno.test("cluster: AUTH failures spread over two nodes ban the client on both", async () => {
  const { a, b, close } = await twoNodes();
  try {
    const options = { banAfterFailures: 6, windowMs: 60_000, banMs: 60_000 };
    const nodeA = new SharedLoginLimiter(a.stores.loginAttempts, options);
    const nodeB = new SharedLoginLimiter(b.stores.loginAttempts, options);
    const banned = [];
    for (let i = 0; i < 6; i++) {
      const node = i % 2 === 0 ? nodeA : nodeB;
      banned.push((await node.record("2001:db8::7", "test@domain.de", false, 1_000 + i)).banned);
    }
    deepEqual(banned, [false, false, false, false, false, true]);
    equal((await nodeA.admit("2001:db8::7", 2_000)).kind, "banned");
    equal((await nodeB.admit("2001:db8:0:0:ffff::1", 2_000)).kind, "banned"); // same /64
    equal((await nodeB.admit("192.0.2.1", 2_000)).kind, "allow");
  } finally {
    await close();
  }
});

Deno.test("cluster: a password changed through node A's API ends node B's cached login at once", async () => {
  const { a, b, close } = await twoNodes();
  try {
    let clock = 1_700_000_000_000;
    const app = createAdminApp({
      stores: a.stores,
      token: TOKEN,
      setPassword: async (password) => ({
        passwordHash: await hashPassword(password, { cost: { ln: 4, r: 8, p: 1 } }),
      }),
      now: () => ++clock,
      log: () => {},
    });
    const config = {
      cramMd5: false,
      checkpasswordCram: "response-first",
      authCacheTtlSeconds: 3600,
      authTimeoutMs: 10_000,
    } as const;
    const nodeB = createAuthBackend(config, b.stores.users);
    const login = (password: string) =>
      nodeB.verifier.verify({
        kind: "password",
        mechanism: "PLAIN",
        username: "test@domain.de",
        password,
      });
    equal(
      (await call(app, "PUT /api/users/test@domain.de", { json: { password: "old" } })).status,
      201,
    );
    equal((await login("old")).kind, "accepted");
    equal((await login("old")).kind, "accepted"); // now from node B's cache
    equal(
      (await call(app, "PUT /api/users/test@domain.de", { json: { password: "new" } })).status,
      200,
    );
    equal((await login("old")).kind, "rejected");
    equal((await login("new")).kind, "accepted");
    equal((await call(app, "DELETE /api/users/test@domain.de")).status, 204);
    equal((await login("new")).kind, "rejected");
  } finally {
    await close();
  }
});

Deno.test("cluster: stop the private server", async () => {
  if (server) await (await server).stop();
});
