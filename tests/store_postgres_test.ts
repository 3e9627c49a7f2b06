import { deepEqual, equal } from "node:assert/strict";
import { openPostgresStores } from "../runtime/postgres/mod.ts";
import { MIGRATIONS } from "../store/postgres/mod.ts";
import { runStoreContract } from "./store_contract.ts";
import { type RunningPostgres, startPostgres } from "./_postgres.ts";

let server: Promise<RunningPostgres> | undefined;
let schemas = 0;

/** The one private PostgreSQL of this file, started on first use. */
function postgres(): Promise<RunningPostgres> {
  return server ??= startPostgres();
}

/** A fresh schema name: each test gets its own, empty tables. */
function freshSchema(): string {
  schemas += 1;
  return `contract_${schemas}`;
}

runStoreContract("postgres", async () => {
  const { url } = await postgres();
  const opened = await openPostgresStores(url, { schema: freshSchema(), pool: { max: 4 } });
  return { stores: opened.stores, close: () => opened.close() };
}, "bundled");

Deno.test("postgres: two stores on one database see each other's writes", async () => {
  const { url } = await postgres();
  const schema = freshSchema();
  const a = await openPostgresStores(url, { schema, pool: { max: 2 } });
  const b = await openPostgresStores(url, { schema, pool: { max: 2 } });
  try {
    await a.stores.domains.add("example.net");
    equal(await b.stores.domains.has("example.net"), true);
    await b.stores.users.put({ address: "test@domain.de", passwordHash: "$h", updatedAt: 1 });
    equal((await a.stores.users.get("test@domain.de"))?.passwordHash, "$h");
    const writer = await a.stores.queue.create();
    await writer.write(new TextEncoder().encode("Subject: x\r\n\r\nhi\r\n"));
    const message = await writer.commit({
      from: "",
      to: ["b@example.org"],
      clientAddress: "192.0.2.1",
      helo: "c",
      receivedAt: 1,
    });
    deepEqual(await b.stores.queue.get(message.id), message);
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("postgres: migrations run once when several open at once", async () => {
  const { url, psql } = await postgres();
  const schema = freshSchema();
  const opened = await Promise.all(
    [1, 2, 3].map(() => openPostgresStores(url, { schema, pool: { max: 2 } })),
  );
  try {
    const versions = MIGRATIONS.map((m) => m.version);
    deepEqual(opened.map((o) => o.migrated).flat().sort(), versions);
    deepEqual(opened.filter((o) => o.migrated.length > 0).length, 1);
    const rows = await psql(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    deepEqual(rows.trim().split("\n").map(Number), versions);
  } finally {
    await Promise.all(opened.map((o) => o.close()));
  }
});

Deno.test("postgres: stop the private server", async () => {
  if (server) await (await server).stop();
});
