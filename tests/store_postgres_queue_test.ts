import { deepEqual, equal } from "node:assert/strict";
import { openPostgresClient } from "../runtime/postgres/mod.ts";
import { createPostgresStores, listenForNewMail, type SqlClient } from "../store/postgres/mod.ts";
import { enqueue, envelope, readAll, testBytes } from "./_store_helpers.ts";
import { type RunningPostgres, startPostgres } from "./_postgres.ts";

let server: Promise<RunningPostgres> | undefined;
let schemas = 0;
const T0 = 1_700_000_000_000;

function postgres(): Promise<RunningPostgres> {
  return server ??= startPostgres();
}

/** Opens a pool on a fresh schema, runs `body`, closes the pool. */
async function withPool(
  body: (sql: SqlClient, schema: string, psql: (q: string) => Promise<string>) => Promise<void>,
): Promise<void> {
  const { url, psql } = await postgres();
  const sql = openPostgresClient(url, { max: 6 });
  schemas += 1;
  try {
    await body(sql, `queue_${schemas}`, psql);
  } finally {
    await sql.close();
  }
}

Deno.test("postgres queue: concurrent commits share transactions", () =>
  withPool(async (sql, schema) => {
    let commits = 0;
    const counting: SqlClient = {
      query: (text, params) => sql.query(text, params),
      transaction: (body) =>
        sql.transaction((tx) =>
          body({
            query: (text, params) => {
              if (text === "SET LOCAL synchronous_commit = on") commits += 1;
              return tx.query(text, params);
            },
          })
        ),
    };
    const { stores } = await createPostgresStores(counting, { schema });
    const messages = await Promise.all(
      Array.from({ length: 40 }, (_, i) => enqueue(stores.queue, testBytes(100 + i, i + 1))),
    );
    equal((await stores.queue.list({ limit: 100 })).items.length, 40);
    for (const [i, message] of messages.entries()) {
      deepEqual(await readAll(stores.queue.readBody(message.id)), testBytes(100 + i, i + 1));
    }
    console.log(`# 40 messages in ${commits} commits`);
    equal(commits < 40, true, `${commits} commits for 40 messages`);
  }));

Deno.test("postgres queue: a 25 MiB body goes in 128 KiB rows and reads back", () =>
  withPool(async (sql, schema, psql) => {
    const { stores } = await createPostgresStores(sql, { schema });
    const body = testBytes(25 * 1024 * 1024, 7);
    const message = await enqueue(stores.queue, body, { pieceSize: 65_536 });
    const rows = await psql(
      `SELECT count(*), max(length(data)) FROM "${schema}".queue_chunks WHERE message_id = '${message.id}'`,
    );
    equal(rows.trim(), "200|131072");
    deepEqual(await readAll(stores.queue.readBody(message.id)), body);
    equal(await stores.queue.remove(message.id), true);
    equal((await psql(`SELECT count(*) FROM "${schema}".queue_chunks`)).trim(), "0");
  }));

Deno.test("postgres queue: opening deletes what a crashed writer left, and nothing else", () =>
  withPool(async (sql, schema, psql) => {
    const { stores } = await createPostgresStores(sql, { schema, chunkSize: 1024 });
    const kept = await enqueue(stores.queue, testBytes(5000));
    const crashed = await stores.queue.create();
    await crashed.write(testBytes(3000, 2));
    equal((await createPostgresStores(sql, { schema })).abandonedSpools, 0);
    const reopened = await createPostgresStores(sql, { schema, abandonedAfterMs: -1 });
    equal(reopened.abandonedSpools, 1);
    const left = await psql(`SELECT DISTINCT message_id FROM "${schema}".queue_chunks`);
    equal(left.trim(), kept.id);
    deepEqual(await readAll(stores.queue.readBody(kept.id)), testBytes(5000));
  }));

Deno.test("postgres leases: claims are disjoint, expire, and only the holder renews or releases", () =>
  withPool(async (sql, schema) => {
    const { stores: { queue } } = await createPostgresStores(sql, { schema });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        (await enqueue(queue, testBytes(10), { envelope: envelope({ receivedAt: T0 + i }) })).id,
      );
    }
    const [a, b] = await Promise.all([
      queue.claim("node-a", T0 + 10, { limit: 3, leaseMs: 1000 }),
      queue.claim("node-b", T0 + 10, { limit: 3, leaseMs: 1000 }),
    ]);
    const claimed = [...a, ...b].map((c) => c.message.id).sort();
    deepEqual(claimed, ids);
    equal(a.every((c) => c.leaseUntil === T0 + 1010), true);
    deepEqual(await queue.claim("node-c", T0 + 10, { limit: 10, leaseMs: 1000 }), []);

    const mine = a[0].message.id;
    equal(await queue.renew(mine, "node-b", T0 + 5000), false);
    equal(await queue.renew(mine, "node-a", T0 + 5000), true);
    // node-b dies: its leases run out at T0 + 1010 and node-c takes its messages.
    const taken = await queue.claim("node-c", T0 + 1010, { limit: 10, leaseMs: 1000 });
    deepEqual(
      taken.map((c) => c.message.id).sort(),
      [...a.slice(1), ...b].map((c) => c.message.id).sort(),
    );
    equal(await queue.release(b[0].message.id, "node-b", { kind: "remove" }), false);
    equal(await queue.get(b[0].message.id) !== undefined, true);

    const later = { ...a[0].delivery, nextAttemptAt: T0 + 60_000 };
    equal(await queue.release(mine, "node-a", { kind: "update", delivery: later }), true);
    deepEqual(await queue.delivery(mine), later);
    equal(await queue.release(mine, "node-a", { kind: "remove" }), false);
    const retried = await queue.claim("node-b", T0 + 60_000, { limit: 10, leaseMs: 1000 });
    equal(retried.some((c) => c.message.id === mine), true);
    equal(await queue.release(mine, "node-b", { kind: "remove" }), true);
    equal(await queue.get(mine), undefined);
  }));

Deno.test("postgres queue: a commit notifies every listener, once it committed", () =>
  withPool(async (sql, schema) => {
    const { stores } = await createPostgresStores(sql, { schema });
    const other = openPostgresClient((await postgres()).url, { max: 2 });
    let heard = 0;
    let onHeard = () => {};
    const stop = await listenForNewMail(other, schema, () => (heard += 1, onHeard()));
    try {
      const writer = await stores.queue.create();
      await writer.write(testBytes(100));
      await new Promise((resolve) => setTimeout(resolve, 200));
      equal(heard, 0, "nothing before the commit");
      const arrived = new Promise<void>((resolve) => onHeard = resolve);
      await writer.commit(envelope());
      await arrived;
      equal(heard, 1);
    } finally {
      await stop?.();
      await other.close();
    }
  }));

Deno.test("postgres queue: stop the private server", async () => {
  if (server) await (await server).stop();
});
