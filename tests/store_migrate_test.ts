/**
 * `deno task migrate-store`: Deno KV files to a private PostgreSQL and back,
 * and the refusal to write into a store that holds something.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { runMigrateStore } from "../runtime/deno/migrate_main.ts";
import { openStoreSpec } from "../runtime/deno/migrate_main.ts";
import type { DeliveryState, Route, Stores } from "../store/types.ts";
import { type RunningPostgres, startPostgres } from "./_postgres.ts";
import { CHUNK, enqueue, envelope, readAll, testBytes } from "./_store_helpers.ts";
import { withTempDir } from "./_data_dir.ts";

let server: Promise<RunningPostgres> | undefined;
let databases = 0;
const postgres = () => server ??= startPostgres();

/** A URL to a fresh, empty database on the private server. */
async function freshDatabase(): Promise<string> {
  const { url, psql } = await postgres();
  const name = `migrate_${++databases}`;
  await psql(`CREATE DATABASE ${name}`);
  return url.replace(/\/tollgate$/, `/${name}`);
}

const ROUTE: Route = {
  pattern: "*",
  relay: "mail.provider.example",
  port: 587,
  username: "trottel",
  password: "ich",
  tls: "starttls",
};
const BIG = testBytes(2 * CHUNK + 17, 3);
const SMALL = testBytes(300, 4);
const DEFERRED: DeliveryState = {
  nextAttemptAt: 1_700_000_900_000,
  recipients: [
    {
      address: "one@example.org",
      status: "delivered",
      attempts: 1,
      lastReply: "250 ok",
      lastAttemptAt: 1_700_000_100_000,
    },
    {
      address: "two@example.org",
      status: "queued",
      attempts: 2,
      lastReply: "451 4.3.0 later",
      lastAttemptAt: 1_700_000_200_000,
    },
  ],
};

async function fill(stores: Stores): Promise<void> {
  await stores.domains.add("domain.de");
  await stores.domains.add(".example.com");
  await stores.networks.add("192.0.2.0/24");
  await stores.users.put({
    address: "test@domain.de",
    passwordHash: "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA",
    cramMd5Secret: "ab".repeat(32),
    updatedAt: 42,
  });
  await stores.users.put({ address: "b@domain.de", passwordHash: "$2y$10$x", updatedAt: 7 });
  await stores.routes.put(ROUTE);
  await stores.senders.add("test@domain.de", "@shop.domain.de");
  await stores.senders.add("test@domain.de", "info@domain.de");
  const deferred = await enqueue(stores.queue, BIG, {
    envelope: envelope({ receivedAt: 1_700_000_000_000, authUser: "test@domain.de" }),
  });
  await stores.queue.update(deferred.id, DEFERRED);
  await enqueue(stores.queue, SMALL, {
    envelope: envelope({ from: "", to: ["x@example.org"], receivedAt: 1_700_000_001_000 }),
  });
}

/** Everything a store holds, ids of messages left out. */
async function snapshot(stores: Stores) {
  const users = (await stores.users.list({ limit: 100 })).items;
  const messages = [];
  for (const message of (await stores.queue.list({ limit: 100 })).items) {
    const { id, ...rest } = message;
    messages.push({
      ...rest,
      body: await readAll(stores.queue.readBody(id)),
      delivery: await stores.queue.delivery(id),
    });
  }
  return {
    domains: await stores.domains.list(),
    networks: await stores.networks.list(),
    users,
    routes: await stores.routes.list(),
    senders: await stores.senders.list("test@domain.de"),
    messages,
  };
}

async function within<T>(spec: string, body: (stores: Stores) => Promise<T>): Promise<T> {
  const opened = await openStoreSpec(spec);
  try {
    return await body(opened.stores);
  } finally {
    await opened.close();
  }
}

Deno.test("migrate-store: KV to PostgreSQL and back keeps everything, bodies and delivery state too", () =>
  withTempDir("tollgate-migrate-", async (dir) => {
    const kv = `kv:${dir}/source`;
    const url = await freshDatabase();
    const expected = await within(kv, async (stores) => {
      await fill(stores);
      return await snapshot(stores);
    });
    equal(expected.messages.length, 2);
    deepEqual(expected.messages[0].body, BIG);
    const out: string[] = [];
    equal(await runMigrateStore(["--from", kv, "--to", url], (l) => out.push(l)), 0);
    match(out.join("\n"), /users +2\n/);
    match(out.join("\n"), /messages +2 \(\d+ body bytes\)/);
    match(out.join("\n"), /routes +1\n/);
    deepEqual(await within(url, snapshot), expected);
    const back = `kv:${dir}/back`;
    equal(await runMigrateStore([`--from=${url}`, `--to=${back}`], () => {}), 0);
    deepEqual(await within(back, snapshot), expected);
  }));

Deno.test("migrate-store: refuses a target that holds anything, and copies nothing", () =>
  withTempDir("tollgate-migrate-", async (dir) => {
    const kv = `kv:${dir}/source`;
    const url = await freshDatabase();
    await within(kv, fill);
    await within(url, (stores) => stores.networks.add("198.51.100.0/24"));
    const err: string[] = [];
    equal(await runMigrateStore(["--from", kv, "--to", url], () => {}, (l) => err.push(l)), 1);
    match(err.join("\n"), /not empty \(it has networks\)/);
    const after = await within(url, snapshot);
    deepEqual(after.domains, []);
    deepEqual(after.messages, []);
    const filled = `kv:${dir}/filled`;
    await within(filled, (stores) => stores.domains.add("other.example"));
    equal(await runMigrateStore(["--from", url, "--to", filled], () => {}, (l) => err.push(l)), 1);
    equal(await runMigrateStore(["--from", kv], () => {}, () => {}), 2);
  }));

Deno.test("migrate-store: the task runs from the command line", () =>
  withTempDir("tollgate-migrate-", async (dir) => {
    const url = await freshDatabase();
    await within(`kv:${dir}/source`, fill);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "migrate-store", "--from", `kv:${dir}/source`, "--to", url],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout);
    equal(output.code, 0, new TextDecoder().decode(output.stderr));
    match(text, /^migrated kv:.* -> postgres:\/\/tollgate@/);
    match(text, /messages +2/);
  }));

Deno.test("migrate-store: stop the private server", async () => {
  if (server) await (await server).stop();
});
