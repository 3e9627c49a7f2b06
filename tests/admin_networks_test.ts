import { deepEqual, equal, match } from "node:assert/strict";
import { adminFixture, call } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

test("GET /api/relay-networks lists the store's networks", async () => {
  const { app, stores } = adminFixture();
  deepEqual((await call(app, "GET /api/relay-networks")).body, { networks: [] });
  await stores.networks.add("192.0.2.0/24");
  const response = await call(app, "GET /api/relay-networks");
  equal(response.status, 200);
  deepEqual(response.body, { networks: ["192.0.2.0/24"] });
});

test("POST /api/relay-networks adds the normalised network (201), then 200", async () => {
  const { app, stores, logs } = adminFixture();
  const created = await call(app, "POST /api/relay-networks", {
    json: { cidr: "2001:DB8:0::/32" },
  });
  equal(created.status, 201);
  deepEqual(created.body, { cidr: "2001:db8::/32" });
  const again = await call(app, "POST /api/relay-networks", { json: { cidr: "2001:db8::/32" } });
  equal(again.status, 200);
  deepEqual(again.body, { cidr: "2001:db8::/32" });
  const host = await call(app, "POST /api/relay-networks", { json: { cidr: "192.0.2.7" } });
  equal(host.status, 201);
  deepEqual(host.body, { cidr: "192.0.2.7/32" });
  deepEqual(await stores.networks.list(), ["192.0.2.7/32", "2001:db8::/32"]);
  deepEqual(logs, [
    "admin: added relay network 2001:db8::/32",
    "admin: added relay network 192.0.2.7/32",
  ]);
});

for (const cidr of ["192.0.2.1/24", "0.0.0.0/0", "not-a-network", "192.0.2.0/33"]) {
  test(`POST /api/relay-networks refuses ${cidr} with 400`, async () => {
    const { app, stores } = adminFixture();
    const response = await call(app, "POST /api/relay-networks", { json: { cidr } });
    equal(response.status, 400);
    match(response.body.error, /^Cannot parse network: /);
    deepEqual(await stores.networks.list(), []);
  });
}

test("DELETE /api/relay-networks/{cidr} takes the cidr URL-encoded (204, then 404)", async () => {
  const { app, stores, logs } = adminFixture();
  await stores.networks.add("192.0.2.0/24");
  await stores.networks.add("2001:db8::/32");
  equal((await call(app, "DELETE /api/relay-networks/192.0.2.0%2F24")).status, 204);
  equal((await call(app, "DELETE /api/relay-networks/2001%3ADB8%3A%3A%2F32")).status, 204);
  deepEqual(await stores.networks.list(), []);
  const missing = await call(app, "DELETE /api/relay-networks/192.0.2.0%2F24");
  equal(missing.status, 404);
  deepEqual(missing.body, { error: "No such relay network: 192.0.2.0/24" });
  deepEqual(logs, [
    "admin: removed relay network 192.0.2.0/24",
    "admin: removed relay network 2001:db8::/32",
  ]);
});

test("DELETE /api/relay-networks refuses an invalid network with 400", async () => {
  const { app } = adminFixture();
  const response = await call(app, "DELETE /api/relay-networks/192.0.2.1%2F24");
  equal(response.status, 400);
  match(response.body.error, /^Cannot parse network: host bits set/);
});
