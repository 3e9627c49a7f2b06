/**
 * Two Tollgate nodes, each its own `deno task start` process with its own
 * ports and data folder, on one private PostgreSQL (issue 15): what one node
 * writes the other sees at once, a node killed with SIGKILL leaves its leased
 * messages to the other after the lease, and both accepting at once deliver
 * every acknowledged message exactly once, and AUTH failures spread over both
 * ban the client on both (the shared login limiter).
 */
import { deepEqual, equal } from "node:assert/strict";
import nodemailer from "nodemailer";
import { type RunningPostgres, startPostgres } from "./_postgres.ts";
import { runChecker } from "../runtime/deno/checkpassword_runner.ts";
import {
  addLocalUser,
  adminOk,
  type RunningTollgate,
  startTollgate,
  taskFlags,
} from "./_server.ts";
import { type RunningSink, startSmtpSink } from "./_smtp_sink.ts";
import { authenticate } from "./_smtp_auth.ts";
import { RawSmtpClient } from "./_raw_smtp.ts";

const TRUSTED = { cidr: "127.0.0.0/8" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A PostgreSQL for one test, a schema of its own, and nodes started on it. */
async function withCluster(
  run: (cluster: {
    pg: RunningPostgres;
    schema: string;
    node: (env?: Record<string, string>) => Promise<RunningTollgate>;
  }) => Promise<void>,
): Promise<void> {
  const pg = await startPostgres();
  const nodes: RunningTollgate[] = [];
  const schema = "cluster";
  try {
    await run({
      pg,
      schema,
      node: async (env = {}) => {
        const node = await startTollgate({
          env: { TOLLGATE_STORE: pg.url, TOLLGATE_STORE_SCHEMA: schema, ...env },
        });
        nodes.push(node);
        return node;
      },
    });
  } finally {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    await pg.stop();
  }
}

/** Sends `count` messages over one connection; returns the subjects that got a 250. */
async function sendMany(node: RunningTollgate, label: string, count: number): Promise<string[]> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: node.smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 1,
    maxMessages: Infinity,
    name: `${label}.test`,
  });
  const acknowledged: string[] = [];
  try {
    for (let n = 0; n < count; n++) {
      const subject = `cluster ${label}-${n}`;
      const info = await transport.sendMail({
        from: "sender@example.net",
        to: "rcpt@example.net",
        subject,
        text: `Message ${n} from ${label}.\n`,
      });
      if (/^250 /.test(info.response)) acknowledged.push(subject);
    }
  } finally {
    transport.close();
  }
  return acknowledged;
}

/** The sink's messages by subject, how often each arrived. */
async function arrivals(sink: RunningSink): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const dump of await sink.dumps()) {
    const subject = /^Subject: (.*)$/m.exec(dump)?.[1] ?? "?";
    counts.set(subject, (counts.get(subject) ?? 0) + 1);
  }
  return counts;
}

/** Waits until every subject arrived and the shared queue is empty; returns when that was. */
async function waitForAll(
  pg: RunningPostgres,
  schema: string,
  sink: RunningSink,
  subjects: string[],
  limitMs: number,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    const seen = await arrivals(sink);
    const queued = (await pg.psql(`SELECT count(*) FROM ${schema}.queue_messages`)).trim();
    if (subjects.every((subject) => seen.has(subject)) && queued === "0") return Date.now();
    await sleep(100);
  }
  const seen = await arrivals(sink);
  const missing = subjects.filter((subject) => !seen.has(subject));
  throw new Error(`Not delivered within ${limitMs} ms: ${missing.length} missing`);
}

/** Counts and prints duplicates; fails on a loss or a message nobody sent. */
async function checkArrivals(sink: RunningSink, subjects: string[], test: string) {
  const seen = await arrivals(sink);
  const duplicates = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
  console.log(
    `${test}: ${subjects.length} acknowledged, ${seen.size} arrived, ${duplicates} duplicates`,
  );
  equal(subjects.filter((subject) => !seen.has(subject)).length, 0, "no acknowledged message lost");
  equal(seen.size, subjects.length, "nothing arrived that was not sent");
  return duplicates;
}

/** Runs the checkpassword entry point as `deno task checkpassword` does, on the cluster's store. */
function checkpassword(store: string, schema: string, user: string, password: string) {
  const root = new URL("../", import.meta.url).pathname;
  const command = [
    "/usr/bin/env",
    `TOLLGATE_STORE=${store}`,
    `TOLLGATE_STORE_SCHEMA=${schema}`,
    Deno.execPath(),
    "run",
    ...taskFlags("checkpassword").permissions,
    ...taskFlags("checkpassword").runtime,
    `--config=${root}deno.json`,
    `${root}runtime/deno/checkpassword_main.ts`,
    "/bin/true",
  ];
  const payload = new TextEncoder().encode(`${user}\0${password}\0\0`);
  return runChecker(command, payload, { timeoutMs: 30_000 });
}

Deno.test("cluster: a domain and user added on node A authenticate on node B at once", async () => {
  await withCluster(async ({ pg, schema, node }) => {
    const [a, b] = await Promise.all([node(), node()]);
    await addLocalUser(a, { address: "test@cluster.test", password: "s3cret-pass" });
    const attempt = await authenticate(b.submissionPort!, {
      mechanism: "PLAIN",
      user: "test@cluster.test",
      password: "s3cret-pass",
    });
    equal(attempt.auth, 235, b.output());
    equal(attempt.relay, 250, "authenticated, node B relays for the user");
    const checked = await checkpassword(pg.url, schema, "test@cluster.test", "s3cret-pass");
    deepEqual(checked, { kind: "exited", code: 0 }, "checkpassword reads the same users");
    const wrong = await checkpassword(pg.url, schema, "test@cluster.test", "wrong");
    deepEqual(wrong, { kind: "exited", code: 1 });
  });
});

Deno.test("cluster: node A killed while it holds leases; node B delivers all after the lease", async () => {
  const sink = await startSmtpSink({ dump: true });
  // A next hop that accepts and never answers: A's deliveries hang there, leases held.
  const stall = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of stall) held.push(conn);
  })().catch(() => {});
  const leaseMs = 3000;
  const env = { TOLLGATE_DELIVERY: "on", TOLLGATE_DELIVERY_LEASE_MS: String(leaseMs) };
  try {
    await withCluster(async ({ pg, schema, node }) => {
      const a = await node(env);
      await adminOk(a, { method: "POST", path: "/api/relay-networks", body: TRUSTED });
      const port = (stall.addr as Deno.NetAddr).port;
      const route = (to: number) => ({ relay: "127.0.0.1", port: to, tls: "none" });
      await adminOk(a, { method: "PUT", path: "/api/routes/*", body: route(port) });
      const subjects = (await Promise.all([0, 1, 2].map((k) => sendMany(a, `a${k}`, 10)))).flat();
      equal(subjects.length, 30);
      const leasedByA = `SELECT count(*) FROM ${schema}.queue_messages WHERE leased_by IS NOT NULL`;
      for (let waited = 0; (await pg.psql(leasedByA)).trim() !== "30"; waited += 100) {
        if (waited > 20_000) throw new Error(`A holds no leases on all 30:\n${a.output()}`);
        await sleep(100);
      }
      // The next hop is fixed; A's deliveries still hang on the old one, leases held.
      await adminOk(a, { method: "PUT", path: "/api/routes/*", body: route(sink.port) });
      const b = await node(env);
      equal((await arrivals(sink)).size, 0, "B claims nothing A holds");
      await a.kill("SIGKILL");
      const killedAt = Date.now();
      const leaseEnd = Number(
        await pg.psql(`SELECT max(lease_until) FROM ${schema}.queue_messages`),
      );
      const doneAt = await waitForAll(pg, schema, sink, subjects, leaseMs + 20_000);
      console.log(
        `lease ${leaseMs} ms: killed → all delivered by B ${doneAt - killedAt} ms, ` +
          `lease end → all delivered ${doneAt - leaseEnd} ms`,
      );
      await checkArrivals(sink, subjects, "SIGKILL failover");
      equal(b.output().match(/ delivered: /g)?.length, 30, "B delivered all 30");
    });
  } finally {
    stall.close();
    for (const conn of held) conn.close();
    await accepting;
    await sink.stop();
  }
});

Deno.test("cluster: both nodes accept at once, every 250'd message delivered exactly once", async () => {
  const sink = await startSmtpSink({ dump: true });
  try {
    await withCluster(async ({ pg, schema, node }) => {
      const env = { TOLLGATE_DELIVERY: "on" };
      const [a, b] = await Promise.all([node(env), node(env)]);
      await adminOk(a, { method: "POST", path: "/api/relay-networks", body: TRUSTED });
      const body = { relay: "127.0.0.1", port: sink.port, tls: "none" };
      await adminOk(b, { method: "PUT", path: "/api/routes/*", body });
      const walBefore = (await pg.psql("SELECT pg_current_wal_lsn()")).trim();
      const startedAt = Date.now();
      const senders = [a, b].flatMap((target, n) =>
        [0, 1, 2].map((k) => sendMany(target, `${"ab"[n]}${k}`, 15))
      );
      const subjects = (await Promise.all(senders)).flat();
      equal(subjects.length, 90);
      const doneAt = await waitForAll(pg, schema, sink, subjects, 60_000);
      const wal = await pg.psql(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '${walBefore}')`);
      console.log(
        `90 small messages accepted and delivered in ${doneAt - startedAt} ms; ` +
          `WAL ${Math.round(Number(wal) / 90)} bytes per message (accept + deliver)`,
      );
      await sleep(500); // a duplicate would arrive now
      equal(await checkArrivals(sink, subjects, "two nodes at once"), 0, "exactly once");
      const byNode = [a, b].map((n) => n.output().match(/ delivered: /g)?.length ?? 0);
      console.log(`deliveries: node A ${byNode[0]}, node B ${byNode[1]}`);
    });
  } finally {
    await sink.stop();
  }
});

/** One AUTH PLAIN over a fresh connection: the greeting's code if it refused, else AUTH's. */
async function plainLogin(port: number, user: string, password: string): Promise<number> {
  const client = await RawSmtpClient.connect(port);
  try {
    const greeting = await client.reply();
    if (greeting.code !== 220) return greeting.code;
    await client.command("EHLO client.test");
    const blob = new TextEncoder().encode(`\0${user}\0${password}`).toBase64();
    return (await client.command(`AUTH PLAIN ${blob}`)).code;
  } finally {
    client.close();
  }
}

Deno.test("cluster: AUTH failures spread over nodes A and B ban the client on both", async () => {
  await withCluster(async ({ node }) => {
    const [a, b] = await Promise.all([node(), node()]);
    const user = { address: "test@cluster.test", password: "s3cret-pass" };
    await addLocalUser(a, user);
    equal(
      await plainLogin(b.submissionPort!, user.address, user.password),
      235,
      "B knows the user",
    );
    // Ten wrong passwords from 127.0.0.1, five to each node: the limiter's ban threshold in all,
    // never reached on either node alone.
    const guesses = await Promise.all(
      [0, 1, 2, 3, 4].flatMap(() =>
        [a, b].map((n) => plainLogin(n.submissionPort!, user.address, "x"))
      ),
    );
    equal(guesses.filter((code) => code === 535).length >= 9, true, `replies ${guesses}`);
    for (const target of [a, b]) {
      const code = await plainLogin(target.submissionPort!, user.address, user.password);
      equal(code, 421, "banned: even the right password is refused, on either node");
    }
  });
});

Deno.test("cluster: a node deletes ended bans and expired login failures when it starts", async () => {
  await withCluster(async ({ pg, schema, node }) => {
    await (await node()).stop(); // creates the schema
    const table = (name: string) => `"${schema}".${name}`;
    await pg.psql(
      `INSERT INTO ${table("login_bans")} (client, until) VALUES
         ('192.0.2.1', 1000), ('192.0.2.2', ${Number.MAX_SAFE_INTEGER});
       INSERT INTO ${table("login_failures")} (key, failed_at) VALUES
         ('client:192.0.2.3', 1000), ('client:192.0.2.3', ${Number.MAX_SAFE_INTEGER})`,
    );
    const started = await node();
    const left = await pg.psql(
      `SELECT string_agg(client, ',') FROM ${table("login_bans")};
       SELECT count(*) FROM ${table("login_failures")}`,
    );
    deepEqual(left.trim().split(/\s+/), ["192.0.2.2", "1"]);
    equal(started.output().includes("deleted 2 expired login failures and ended bans"), true);
  });
});
