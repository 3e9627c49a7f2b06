import { deepEqual, equal, match } from "node:assert/strict";
import { adminFixture, call } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

test("GET /api/domains lists the store's entries, sorted", async () => {
  const { app, stores } = adminFixture();
  deepEqual((await call(app, "GET /api/domains")).body, { domains: [] });
  await stores.domains.add("example.org");
  await stores.domains.add(".example.net");
  const response = await call(app, "GET /api/domains");
  equal(response.status, 200);
  deepEqual(response.body, { domains: [".example.net", "example.org"] });
});

test("PUT /api/domains/{domain} creates (201), then finds it exists (200)", async () => {
  const { app, stores, logs } = adminFixture();
  const created = await call(app, "PUT /api/domains/example.net");
  equal(created.status, 201);
  deepEqual(created.body, { domain: "example.net" });
  const again = await call(app, "PUT /api/domains/example.net");
  equal(again.status, 200);
  deepEqual(again.body, { domain: "example.net" });
  deepEqual(await stores.domains.list(), ["example.net"]);
  deepEqual(logs, ["admin: added local domain example.net"]);
});

test("PUT /api/domains stores the normal form of the entry", async () => {
  const { app, stores } = adminFixture();
  equal((await call(app, "PUT /api/domains/Mail.Example.NET.")).status, 201);
  equal((await call(app, "PUT /api/domains/.Example.ORG")).status, 201);
  equal((await call(app, "PUT /api/domains/mail.example.net")).status, 200);
  deepEqual(await stores.domains.list(), [".example.org", "mail.example.net"]);
});

for (const domain of ["exa_mple.net", "192.0.2.1", "%5B192.0.2.1%5D", "-bad.example", "a..b"]) {
  test(`PUT /api/domains/${domain} is refused with 400`, async () => {
    const { app, stores, logs } = adminFixture();
    const response = await call(app, `PUT /api/domains/${domain}`);
    equal(response.status, 400);
    match(response.body.error, /^Cannot parse domain: /);
    deepEqual(await stores.domains.list(), []);
    deepEqual(logs, []);
  });
}

test("DELETE /api/domains/{domain} removes it (204), then 404", async () => {
  const { app, stores, logs } = adminFixture();
  await stores.domains.add("example.net");
  await stores.domains.add("example.org");
  const removed = await call(app, "DELETE /api/domains/EXAMPLE.net");
  equal(removed.status, 204);
  equal(removed.text, "");
  deepEqual(await stores.domains.list(), ["example.org"]);
  const missing = await call(app, "DELETE /api/domains/example.net");
  equal(missing.status, 404);
  deepEqual(missing.body, { error: "No such local domain: example.net" });
  deepEqual(logs, ["admin: removed local domain example.net"]);
});

test("DELETE /api/domains refuses an invalid entry with 400", async () => {
  const { app } = adminFixture();
  const response = await call(app, "DELETE /api/domains/not_a_domain");
  equal(response.status, 400);
  match(response.body.error, /^Cannot parse domain: /);
});
