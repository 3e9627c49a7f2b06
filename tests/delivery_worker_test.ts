import { deepEqual, equal, match } from "node:assert/strict";
import { DeliveryWorker } from "../delivery/delivery_worker.ts";
import { deliverToMaildir } from "../runtime/deno/maildir.ts";
import type {
  MxLookup,
  OutboundMessage,
  OutboundTarget,
  RecipientOutcome,
} from "../delivery/outbound_types.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { holdDelivery, releaseDelivery } from "../store/queue_hold.ts";
import type { Envelope, Stores } from "../store/types.ts";
import { parseDsn } from "./_dsn.ts";
import { readAll } from "./_store_helpers.ts";

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const MINUTE = 60_000;

interface Call {
  target: OutboundTarget;
  messages: { from: string; to: string[]; body: string }[];
}

type Answer = (address: string, call: Call) => Omit<RecipientOutcome, "address">;

/** A worker on memory stores with a scripted SMTP client and a hand-moved clock. */
async function setup(options: {
  answer?: Answer;
  lookup?: (domain: string) => Promise<MxLookup>;
  concurrency?: number;
  maxInFlight?: number;
  /** Every SMTP delivery waits for it (a next hop that is slow to answer). */
  hold?: Promise<void>;
} = {}) {
  let now = T0;
  const stores: Stores = createMemoryStores(() => now);
  const root = await Deno.makeTempDir({ prefix: "tollgate-worker-" });
  const calls: Call[] = [];
  const lines: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const deliver = async (target: OutboundTarget, messages: OutboundMessage[]) => {
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    const call: Call = { target, messages: [] };
    for (const message of messages) {
      const body = new TextDecoder().decode(await readAll(message.body()));
      call.messages.push({ from: message.from, to: message.to, body });
    }
    calls.push(call);
    await options.hold;
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
    const answer = options.answer ?? (() => ({ status: "delivered", reply: "250 ok" }));
    return messages.map((message) =>
      message.to.map((address) => ({ address, ...answer(address, call) }))
    );
  };
  const worker = new DeliveryWorker({
    stores,
    hostname: "mail.domain.de",
    deliverLocal: (message) =>
      deliverToMaildir(message, { root, hostname: "mail.domain.de", now: () => now }),
    policy: { schedule: [MINUTE, 5 * MINUTE], lifetimeMs: 60 * MINUTE },
    concurrency: options.concurrency ?? 4,
    ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
    deliver,
    lookup: options.lookup ?? (() => Promise.resolve({ kind: "temporary", reply: "no DNS here" })),
    log: (line) => lines.push(line),
    now: () => now,
  });
  const enqueue = async (envelope: Partial<Envelope>, body = "Subject: test\r\n\r\nHello.\r\n") => {
    const writer = await stores.queue.create();
    await writer.write(new TextEncoder().encode(body));
    return await writer.commit({
      from: "test@domain.de",
      to: ["friend@example.net"],
      clientAddress: "192.0.2.1",
      helo: "client.test",
      receivedAt: now,
      ...envelope,
    });
  };
  const mailbox = async (address: string) => {
    const [user, domain] = address.split("@");
    const folder = `${root}/${domain}/${user}/new`;
    const files: string[] = [];
    try {
      for await (const entry of Deno.readDir(folder)) files.push(`${folder}/${entry.name}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return await Promise.all(files.sort().map((file) => Deno.readTextFile(file)));
  };
  return {
    stores,
    worker,
    calls,
    lines,
    enqueue,
    mailbox,
    mostAtOnce: () => mostAtOnce,
    advance: (ms: number) => void (now += ms),
    setNow: (ms: number) => void (now = ms),
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function withSetup(
  options: Parameters<typeof setup>[0],
  body: (t: Setup) => Promise<void>,
): Promise<void> {
  const t = await setup(options);
  try {
    await body(t);
  } finally {
    await t.cleanup();
  }
}

async function localUser(stores: Stores, address: string): Promise<void> {
  await stores.domains.add(address.slice(address.indexOf("@") + 1));
  await stores.users.put({ address, passwordHash: "$x", updatedAt: 0 });
}

const relayRoute = { pattern: "*", relay: "relay.example.net", port: 587, tls: "none" as const };

Deno.test("worker: a 451 from the relay is retried on schedule, then delivered", () => {
  let refusals = 1;
  return withSetup({
    answer: () =>
      refusals-- > 0
        ? { status: "temporary", reply: "451 4.3.0 try again later" }
        : { status: "delivered", reply: "250 2.0.0 queued as 7" },
  }, async (t) => {
    await t.stores.routes.put({ ...relayRoute, username: "trottel", password: "ich" });
    const message = await t.enqueue({});
    equal(await t.worker.runOnce(), 1);
    deepEqual(await t.stores.queue.delivery(message.id), {
      nextAttemptAt: T0 + MINUTE,
      recipients: [{
        address: "friend@example.net",
        status: "queued",
        attempts: 1,
        lastReply: "451 4.3.0 try again later",
        lastAttemptAt: T0,
      }],
    });
    deepEqual(t.calls[0].target, {
      host: "relay.example.net",
      port: 587,
      tls: "none",
      ehloName: "mail.domain.de",
      auth: { username: "trottel", password: "ich" },
    });
    equal(t.calls[0].messages[0].body, "Subject: test\r\n\r\nHello.\r\n");
    t.advance(MINUTE - 1);
    equal(await t.worker.runOnce(), 0);
    t.advance(1);
    equal(await t.worker.runOnce(), 1);
    equal(await t.stores.queue.get(message.id), undefined);
    equal(t.calls.length, 2);
    match(t.lines.join("\n"), /friend@example\.net deferred: 451 4\.3\.0 try again later/);
    match(t.lines.join("\n"), /friend@example\.net delivered: 250 2\.0\.0 queued as 7/);
  });
});

Deno.test("worker: a 550 bounces to the sender's local mailbox with an RFC 3464 report", () =>
  withSetup({
    answer: (address) =>
      address === "nobody@example.net"
        ? { status: "permanent", reply: "550 5.1.1 <nobody@example.net>: user unknown" }
        : { status: "delivered", reply: "250 ok" },
  }, async (t) => {
    await localUser(t.stores, "test@domain.de");
    await t.stores.routes.put(relayRoute);
    const message = await t.enqueue({ to: ["nobody@example.net", "friend@example.net"] });
    equal(await t.worker.runOnce(), 1);
    equal(await t.stores.queue.get(message.id), undefined);
    const [bounce] = (await t.stores.queue.list({ limit: 10 })).items;
    deepEqual([bounce.from, bounce.to], ["", ["test@domain.de"]]);
    equal(await t.worker.runOnce(), 1);
    deepEqual((await t.stores.queue.list({ limit: 10 })).items, []);
    const [mail] = await t.mailbox("test@domain.de");
    match(mail, /^Return-Path: <>\nDelivered-To: test@domain\.de\n/);
    const dsn = await parseDsn(new TextEncoder().encode(mail));
    deepEqual(dsn.defects, []);
    equal(dsn.type, "multipart/report");
    deepEqual(dsn.blocks?.[1], {
      "Final-Recipient": "rfc822; nobody@example.net",
      "Action": "failed",
      "Status": "5.1.1",
      "Remote-MTA": "dns; relay.example.net",
      "Diagnostic-Code": "smtp; 550 5.1.1 <nobody@example.net>: user unknown",
      "Last-Attempt-Date": "Mon, 5 Jan 2026 10:00:00 +0000",
    });
    equal(dsn.blocks?.length, 2);
    equal(dsn.returnedHeaders, "Subject: test\n");
  }));

Deno.test("worker: local users get Maildir files; an unknown local user bounces, a null sender not", () =>
  withSetup({}, async (t) => {
    await localUser(t.stores, "test@domain.de");
    await t.enqueue({ from: "friend@example.net", to: ["Test@Domain.DE", "ghost@domain.de"] });
    await t.enqueue({ from: "", to: ["ghost@domain.de"] });
    equal(await t.worker.runOnce(), 2);
    const [mail] = await t.mailbox("test@domain.de");
    equal(
      mail,
      "Return-Path: <friend@example.net>\nDelivered-To: test@domain.de\nSubject: test\n\nHello.\n",
    );
    const queued = (await t.stores.queue.list({ limit: 10 })).items;
    deepEqual(queued.map((m) => [m.from, m.to]), [["", ["friend@example.net"]]]);
    const bounceBody = new TextDecoder().decode(
      await readAll(t.stores.queue.readBody(queued[0].id)),
    );
    match(bounceBody, /Status: 5\.1\.1\r\n/);
    match(t.lines.join("\n"), /no bounce to the null sender/);
    equal(t.calls.length, 0);
  }));

Deno.test("worker: when the lifetime runs out, what is still queued bounces with 4.4.7", () =>
  withSetup(
    { answer: () => ({ status: "temporary", reply: "connect to relay: refused" }) },
    async (t) => {
      await localUser(t.stores, "test@domain.de");
      await t.stores.routes.put(relayRoute);
      const message = await t.enqueue({});
      const attemptsAt: number[] = [];
      for (let step = 0; step < 20 && await t.stores.queue.get(message.id); step++) {
        const { nextAttemptAt } = (await t.stores.queue.delivery(message.id))!;
        t.setNow(nextAttemptAt);
        attemptsAt.push((nextAttemptAt - T0) / MINUTE);
        await t.worker.runOnce();
      }
      // 1m, then 5m repeating, and the last try exactly at the end of the 60-minute lifetime.
      deepEqual(attemptsAt, [0, 1, 6, 11, 16, 21, 26, 31, 36, 41, 46, 51, 56, 60]);
      equal(await t.stores.queue.get(message.id), undefined);
      await t.worker.runOnce();
      const [mail] = await t.mailbox("test@domain.de");
      const dsn = await parseDsn(new TextEncoder().encode(mail));
      equal(dsn.blocks?.[1]["Status"], "4.4.7");
      equal(dsn.blocks?.[1]["Diagnostic-Code"], "X-Tollgate; connect to relay: refused");
    },
  ));

Deno.test("worker: messages for one route share a connection; connections are bounded", () =>
  withSetup({ concurrency: 2 }, async (t) => {
    await t.stores.routes.put(relayRoute);
    for (const domain of ["a", "b", "c", "d", "e"]) {
      await t.stores.routes.put({
        pattern: `${domain}.test`,
        relay: `relay.${domain}.test`,
        tls: "none",
      });
    }
    await t.enqueue({ to: ["x@example.net"] });
    await t.enqueue({ to: ["y@example.org", "z@example.org"] });
    for (const domain of ["a", "b", "c", "d", "e"]) await t.enqueue({ to: [`u@${domain}.test`] });
    equal(await t.worker.runOnce(), 7);
    deepEqual((await t.stores.queue.list({ limit: 10 })).items, []);
    const shared = t.calls.find((call) => call.target.host === "relay.example.net")!;
    deepEqual(shared.messages.map((m) => m.to), [["x@example.net"], [
      "y@example.org",
      "z@example.org",
    ]]);
    equal(t.calls.length, 6);
    equal(t.mostAtOnce(), 2);
  }));

Deno.test("worker: a backlog for one next hop goes out over several connections", () =>
  withSetup({ concurrency: 3 }, async (t) => {
    await t.stores.routes.put(relayRoute);
    for (let n = 0; n < 25; n++) await t.enqueue({ to: [`u${n}@example.net`] });
    equal(await t.worker.runOnce(), 25);
    deepEqual(t.calls.map((call) => call.messages.length).sort(), [12, 13]);
    deepEqual((await t.stores.queue.list({ limit: 30 })).items, []);
  }));

Deno.test("worker: local mail is delivered while a slow next hop holds every remote slot", () => {
  let release = () => {};
  const hold = new Promise<void>((resolve) => release = resolve);
  return withSetup({ concurrency: 1, maxInFlight: 3, hold }, async (t) => {
    await t.stores.routes.put(relayRoute);
    await localUser(t.stores, "test@domain.de");
    for (let n = 0; n < 5; n++) await t.enqueue({ to: [`u${n}@example.net`] });
    const remote = t.worker.runOnce();
    await t.enqueue({ to: ["test@domain.de"] });
    equal(await t.worker.runOnce(), 1, "the local message is taken although remote room is full");
    equal((await t.mailbox("test@domain.de")).length, 1);
    equal((await t.stores.queue.list({ limit: 10 })).items.length, 5, "remote mail still queued");
    release();
    equal(await remote, 3, "remote room held three messages");
    equal(await t.worker.runOnce(), 2);
    deepEqual((await t.stores.queue.list({ limit: 10 })).items, []);
  });
});

Deno.test("worker: MX hosts are tried in order with opportunistic TLS until one takes the mail", () =>
  withSetup({
    lookup: (domain) =>
      Promise.resolve({
        kind: "hosts",
        hosts: [
          { name: `mx1.${domain}`, preference: 10, addresses: ["192.0.2.1", "192.0.2.2"] },
          { name: `mx2.${domain}`, preference: 20, addresses: ["192.0.2.3"] },
        ],
      }),
    answer: (_, call) =>
      call.target.host === "192.0.2.3"
        ? { status: "delivered", reply: "250 ok" }
        : { status: "temporary", reply: `connect to ${call.target.host}:25: refused` },
  }, async (t) => {
    const message = await t.enqueue({ to: ["friend@example.net"] });
    await t.worker.runOnce();
    deepEqual(
      t.calls.map((
        call,
      ) => [call.target.host, call.target.servername, call.target.port, call.target.tls]),
      [
        ["192.0.2.1", "mx1.example.net", 25, "opportunistic"],
        ["192.0.2.2", "mx1.example.net", 25, "opportunistic"],
        ["192.0.2.3", "mx2.example.net", 25, "opportunistic"],
      ],
    );
    equal(await t.stores.queue.get(message.id), undefined);
    match(t.lines.join("\n"), /friend@example\.net delivered: 250 ok/);
  }));

Deno.test("worker: a null MX bounces at once without a connection", () =>
  withSetup({
    lookup: () =>
      Promise.resolve({ kind: "permanent", reply: "556 5.1.10 example.net accepts no mail" }),
  }, async (t) => {
    await localUser(t.stores, "test@domain.de");
    await t.enqueue({ to: ["friend@example.net"] });
    await t.worker.runOnce();
    await t.worker.runOnce();
    equal(t.calls.length, 0);
    const [mail] = await t.mailbox("test@domain.de");
    match(mail, /Status: 5\.1\.10\n/);
  }));

Deno.test("worker: the loop delivers a message as soon as it is woken, and stops", () =>
  withSetup({}, async (t) => {
    await t.stores.routes.put(relayRoute);
    t.worker.start();
    try {
      const message = await t.enqueue({});
      t.worker.wake();
      for (let poll = 0; poll < 400 && await t.stores.queue.get(message.id); poll++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      equal(await t.stores.queue.get(message.id), undefined);
    } finally {
      await t.worker.stop();
    }
    await t.enqueue({});
    await new Promise((resolve) => setTimeout(resolve, 50));
    equal((await t.stores.queue.list({ limit: 10 })).items.length, 1);
  }));

Deno.test("worker: a message held during its attempt stays held, and is never due until released", () => {
  let release: () => void = () => {};
  const slow = new Promise<void>((resolve) => release = resolve);
  return withSetup({
    hold: slow,
    answer: () => ({ status: "temporary", reply: "451 4.3.0 try again later" }),
  }, async ({ stores, worker, enqueue, advance, calls }) => {
    await stores.routes.put(relayRoute);
    const message = await enqueue({});
    const pass = worker.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await stores.queue.update(message.id, holdDelivery((await stores.queue.delivery(message.id))!));
    release();
    await pass;
    const held = (await stores.queue.delivery(message.id))!;
    deepEqual([held.held !== undefined, held.recipients[0].attempts], [true, 1]);
    advance(10 * MINUTE);
    equal(await worker.runOnce(), 0);
    await stores.queue.update(message.id, releaseDelivery(held, T0 + 10 * MINUTE));
    equal(await worker.runOnce(), 1);
    equal(calls.length, 2);
  });
});
