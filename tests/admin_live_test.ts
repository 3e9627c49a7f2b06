import { deepEqual, equal } from "node:assert/strict";
import { createAdminApp } from "../admin/mod.ts";
import { createUserSecrets } from "../auth/user_secrets.ts";
import { UserStoreVerifier } from "../auth/store_verifier.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { call, TOKEN } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

/** The real hasher at a low scrypt cost, over the stores the SMTP side would read. */
function liveAdmin() {
  const stores = createMemoryStores(() => 0);
  const app = createAdminApp({
    stores,
    token: TOKEN,
    setPassword: (password) =>
      createUserSecrets(password, { cramMd5: true, cost: { ln: 4, r: 8, p: 1 } }),
    now: () => 0,
  });
  return { app, verifier: new UserStoreVerifier(stores.users, { cramMd5Enabled: true }) };
}

function plain(username: string, password: string) {
  return { kind: "password", mechanism: "PLAIN", username, password } as const;
}

test("a password set through the API takes effect for SMTP AUTH at once", async () => {
  const { app, verifier } = liveAdmin();
  equal((await verifier.verify(plain("test@domain.de", "first"))).kind, "rejected");
  equal(
    (await call(app, "PUT /api/users/test@domain.de", { json: { password: "first" } })).status,
    201,
  );
  deepEqual(await verifier.verify(plain("test@domain.de", "first")), {
    kind: "accepted",
    user: "test@domain.de",
  });
  equal(
    (await call(app, "PUT /api/users/test@domain.de", { json: { password: "second" } })).status,
    200,
  );
  equal((await verifier.verify(plain("test@domain.de", "first"))).kind, "rejected");
  equal((await verifier.verify(plain("test@domain.de", "second"))).kind, "accepted");
  equal((await call(app, "DELETE /api/users/test@domain.de")).status, 204);
  equal((await verifier.verify(plain("test@domain.de", "second"))).kind, "rejected");
});

test("with the real hasher, no response shows the PHC hash or CRAM-MD5 secret", async () => {
  const { app } = liveAdmin();
  const put = await call(app, "PUT /api/users/test@domain.de", { json: { password: "pw" } });
  const list = await call(app, "GET /api/users");
  deepEqual(list.body.users, [{
    address: "test@domain.de",
    updatedAt: new Date(0).toISOString(),
    cramMd5: true,
  }]);
  for (const text of [put.text, list.text]) {
    equal(text.includes("$scrypt$"), false);
    equal(/[0-9a-f]{64}/.test(text), false);
  }
});
