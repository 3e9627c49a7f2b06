/**
 * Relaying under load: many clients at once relay through one route (and through MX) to
 * Postfix's `smtp-sink`, and every message leaves on its first attempt, exactly once. This is
 * the hand-over between acceptance and delivery that the outbound tests (a preloaded queue)
 * and the acceptance tests (delivery off) never exercise together: a delivery pass that read
 * the queue while another pass finished once re-delivered messages just removed and deferred
 * the rest of their connection for 60 s.
 *
 * The clients are nodemailer, one connection each, sending in parallel; every message has a
 * subject of its own, so the sink's dumps show which arrived how often.
 *
 * @module
 */
import { deepEqual, doesNotMatch, equal } from "node:assert/strict";
import nodemailer from "nodemailer";
import { startDnsmasq } from "./_dnsmasq.ts";
import { adminOk, type RunningTollgate, startTollgate } from "./_server.ts";
import { type RunningSink, startSmtpSink } from "./_smtp_sink.ts";

const CLIENTS = 10;
const MESSAGES_PER_CLIENT = 20;
const MESSAGES = CLIENTS * MESSAGES_PER_CLIENT;
const TRUSTED = { cidr: "127.0.0.0/8" };
const DELIVERY_ON = { TOLLGATE_DELIVERY: "on" };

/** Sends `MESSAGES_PER_CLIENT` messages over one connection; returns Tollgate's queue ids. */
async function sendFromOneClient(
  tollgate: RunningTollgate,
  client: number,
  recipient: string,
): Promise<string[]> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: tollgate.smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 1,
    maxMessages: Infinity,
    name: `client${client}.test`,
  });
  try {
    const ids: string[] = [];
    for (let n = 0; n < MESSAGES_PER_CLIENT; n++) {
      const info = await transport.sendMail({
        from: "sender@example.net",
        to: recipient,
        subject: `load ${client}-${n}`,
        text: `Message ${n} of client ${client}.\n${"x".repeat(900)}\n`,
      });
      ids.push(/qp ([0-9a-f]{20})/.exec(info.response)![1]);
    }
    return ids;
  } finally {
    transport.close();
  }
}

/** Polls until the sink holds `count` dumps and Tollgate's queue is empty, for at most 30 s. */
async function waitUntilDelivered(
  tollgate: RunningTollgate,
  sink: RunningSink,
  count: number,
): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if ((await sink.dumps()).length < count) continue;
    const response = await tollgate.admin("GET", "/api/queue?limit=1");
    const { messages } = await response.json() as { messages: unknown[] };
    if (messages.length === 0) return;
  }
  throw new Error(
    `Not delivered within 30 s: ${(await sink.dumps()).length} of ${count} at the sink.\n` +
      tollgate.output(),
  );
}

/** Sends from every client at once, waits for delivery and checks each message's fate. */
async function relayUnderLoad(
  tollgate: RunningTollgate,
  sink: RunningSink,
  recipient: string,
): Promise<void> {
  const ids = (await Promise.all(
    Array.from({ length: CLIENTS }, (_, client) => sendFromOneClient(tollgate, client, recipient)),
  )).flat();
  equal(new Set(ids).size, MESSAGES, "every 250 names a queue id of its own");
  await waitUntilDelivered(tollgate, sink, MESSAGES);

  const subjects = (await sink.dumps()).map((dump) => /^Subject: (.*)$/m.exec(dump)?.[1]);
  const expected = Array.from(
    { length: MESSAGES },
    (_, k) => `load ${Math.floor(k / MESSAGES_PER_CLIENT)}-${k % MESSAGES_PER_CLIENT}`,
  );
  deepEqual(subjects.sort(), expected.sort(), "every message arrived exactly once");

  const log = tollgate.output();
  doesNotMatch(log, / deferred: /, "no message waited for a retry");
  doesNotMatch(log, /removed from the queue meanwhile/);
  for (const id of ids) {
    const delivered = log.match(new RegExp(`delivery ${id} to \\S+ delivered: `, "g")) ?? [];
    equal(delivered.length, 1, `${id} is delivered once, on its first attempt`);
  }
}

Deno.test("relay under load: every message leaves through the route at once, exactly once", async () => {
  const sink = await startSmtpSink({ dump: true });
  const tollgate = await startTollgate({ env: DELIVERY_ON });
  try {
    await adminOk(tollgate, { method: "POST", path: "/api/relay-networks", body: TRUSTED });
    await adminOk(tollgate, {
      method: "PUT",
      path: "/api/routes/*",
      body: { relay: "127.0.0.1", port: sink.port, tls: "none" },
    });
    await relayUnderLoad(tollgate, sink, "u@example.net");
  } finally {
    await tollgate.stop();
    await sink.stop();
  }
});

Deno.test("relay under load: every message leaves through MX at once, exactly once", async () => {
  const sink = await startSmtpSink({ dump: true });
  const dns = await startDnsmasq([
    "--mx-host=example.test,mx.example.test,10",
    "--host-record=mx.example.test,127.0.0.1",
  ]);
  const tollgate = await startTollgate({ env: { ...DELIVERY_ON, TOLLGATE_DNS: dns.address } });
  try {
    await adminOk(tollgate, { method: "POST", path: "/api/relay-networks", body: TRUSTED });
    // No relay: the MX hosts, on the sink's port instead of 25 (qmail's `domain::port`).
    await adminOk(tollgate, {
      method: "PUT",
      path: "/api/routes/example.test",
      body: { port: sink.port, tls: "opportunistic" },
    });
    await relayUnderLoad(tollgate, sink, "u@example.test");
  } finally {
    await tollgate.stop();
    await dns.stop();
    await sink.stop();
  }
});
