/**
 * Delivery end to end: a real Tollgate process (`_server.ts`) takes mail over SMTP and delivers
 * it to real peers: nodemailer's smtp-server as the relay, a second Tollgate found through a
 * local dnsmasq as the MX host, and Maildirs on disk. Retries run every second
 * (`TOLLGATE_QUEUE_RETRY=1s`); every wait is bounded polling for an outcome, never a sleep.
 *
 * @module
 */
import { deepEqual, equal, match } from "node:assert/strict";
import nodemailer from "nodemailer";
import { fileNames, withReopenedStores } from "./_data_dir.ts";
import { startDnsmasq } from "./_dnsmasq.ts";
import { parseDsn } from "./_dsn.ts";
import { addLocalUser, adminOk, type RunningTollgate, startTollgate } from "./_server.ts";
import { type RelayOptions, type RunningRelay, startRelay } from "./_smtp_server_relay.ts";

const SENDER = { address: "test@domain.de", password: "testing" };
const FAST_RETRY = { TOLLGATE_QUEUE_RETRY: "1s", TOLLGATE_DELIVERY: "on" };

/** Polls `check` every 100 ms until it returns a value, for at most 30 s. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** Sends one message into Tollgate, authenticated as the local sender unless `auth` is false. */
async function submit(
  tollgate: RunningTollgate,
  message: { to: string; subject: string; from?: string; auth?: boolean; text?: string },
): Promise<string> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: tollgate.smtpPort,
    secure: false,
    ignoreTLS: true,
    name: "client.test",
    ...(message.auth === false
      ? {}
      : { auth: { user: SENDER.address, pass: SENDER.password, method: "PLAIN" } }),
  });
  try {
    const info = await transport.sendMail({
      from: message.from ?? SENDER.address,
      to: message.to,
      subject: message.subject,
      text: message.text ?? `Body of ${message.subject}.\n`,
    });
    return /qp ([0-9a-f]{20})/.exec(info.response)![1];
  } finally {
    transport.close();
  }
}

/** The recipients' states of a queued message, or undefined once it left the queue. */
async function queueItem(tollgate: RunningTollgate, id: string) {
  const response = await tollgate.admin("GET", `/api/queue/${id}`);
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  return await response.json() as {
    nextAttemptAt: string;
    recipients: { address: string; status: string; attempts: number; lastReply: string | null }[];
  };
}

/** The files in a Maildir's `new/`, read as text. */
async function maildir(tollgate: RunningTollgate, mailbox: string): Promise<string[]> {
  const [user, domain] = mailbox.split("@");
  const folder = `${tollgate.dataDir}/mail/${domain}/${user}/new`;
  const texts: string[] = [];
  try {
    for await (const entry of Deno.readDir(folder)) {
      texts.push(await Deno.readTextFile(`${folder}/${entry.name}`));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return texts;
}

function subjectOf(body: string): string | undefined {
  return /^Subject: (.*)$/m.exec(body)?.[1].trim();
}

/** A Tollgate with the local sender and the default route to `relay` (plain, loopback). */
async function tollgateWithRelay(
  relayPort: number,
  route: Record<string, unknown> = {},
  dataDir?: string,
): Promise<RunningTollgate> {
  const tollgate = await startTollgate({ env: FAST_RETRY, ...(dataDir ? { dataDir } : {}) });
  await addLocalUser(tollgate, SENDER);
  const body = { relay: "127.0.0.1", port: relayPort, tls: "none", ...route };
  await adminOk(tollgate, { method: "PUT", path: "/api/routes/*", body });
  return tollgate;
}

async function withRelay(
  options: RelayOptions,
  body: (relay: RunningRelay) => Promise<void>,
): Promise<void> {
  const relay = await startRelay(options);
  try {
    await body(relay);
  } finally {
    await relay.close();
  }
}

Deno.test("delivery: a 451 from the relay is retried, then the message is delivered", () => {
  const seen: string[] = [];
  return withRelay({
    refuseRecipient: (address) => {
      seen.push(address);
      return seen.length === 1 ? { code: 451, message: "4.3.0 try again later" } : undefined;
    },
  }, async (relay) => {
    const tollgate = await tollgateWithRelay(relay.port);
    try {
      const id = await submit(tollgate, { to: "friend@example.net", subject: "retried" });
      const [delivered] = await eventually(
        "the relay to take the message",
        () => Promise.resolve(relay.messages.length > 0 ? relay.messages : undefined),
      );
      deepEqual([delivered.from, delivered.to, subjectOf(delivered.body)], [
        SENDER.address,
        ["friend@example.net"],
        "retried",
      ]);
      deepEqual(seen, ["friend@example.net", "friend@example.net"]);
      await eventually(
        "the queue to drop it",
        async () => (await queueItem(tollgate, id)) === undefined ? true : undefined,
      );
      match(tollgate.output(), /friend@example\.net deferred: 451 4\.3\.0 try again later/);
    } finally {
      await tollgate.stop();
    }
  });
});

Deno.test("delivery: a large message deferred once moves out of the body log and arrives whole", () => {
  let attempts = 0;
  return withRelay({
    refuseRecipient: () => ++attempts === 1 ? { code: 451, message: "4.3.0 later" } : undefined,
  }, async (relay) => {
    const dataDir = await Deno.makeTempDir({ prefix: "tollgate-deferred-" });
    const tollgate = await tollgateWithRelay(relay.port, {}, dataDir);
    try {
      const text = Array.from({ length: 3000 }, (_, n) => `line ${n} ${"d".repeat(60)}`).join("\n");
      const id = await submit(tollgate, {
        to: "friend@example.net",
        subject: "moved",
        text: `${text}\n`,
      });
      // Deferred by the 451: its body is now a file of its own, named by its id.
      await eventually(
        "the body file",
        async () => (await fileNames(`${dataDir}/bodies`)).includes(id) || undefined,
      );
      const [delivered] = await eventually(
        "the relay to take the message",
        () => Promise.resolve(relay.messages.length > 0 ? relay.messages : undefined),
      );
      equal(
        delivered.body.slice(delivered.body.indexOf("line 0 ")),
        `${text.replaceAll("\n", "\r\n")}\r\n`,
      );
      await eventually(
        "the queue to drop it",
        async () => (await queueItem(tollgate, id)) === undefined || undefined,
      );
      deepEqual(await fileNames(`${dataDir}/bodies`), ["log"], "the body file went with it");
    } finally {
      await tollgate.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  });
});

Deno.test("delivery: a 550 bounces to the sender's mailbox with a correct DSN", () =>
  withRelay({
    refuseRecipient: (address) =>
      address === "nobody@example.net"
        ? { code: 550, message: "5.1.1 <nobody@example.net>: Recipient address rejected" }
        : undefined,
  }, async (relay) => {
    const tollgate = await tollgateWithRelay(relay.port);
    try {
      await submit(tollgate, { to: "nobody@example.net, friend@example.net", subject: "bounced" });
      const [bounce] = await eventually("the bounce in the sender's Maildir", async () => {
        const mails = await maildir(tollgate, SENDER.address);
        return mails.length > 0 ? mails : undefined;
      });
      match(bounce, /^Return-Path: <>\nDelivered-To: test@domain\.de\n/);
      const dsn = await parseDsn(new TextEncoder().encode(bounce));
      deepEqual(dsn.defects, []);
      equal(dsn.type, "multipart/report");
      equal(dsn.reportType, "delivery-status");
      deepEqual(dsn.parts, ["text/plain", "message/delivery-status", "text/rfc822-headers"]);
      equal(dsn.headers["To"], SENDER.address);
      equal(dsn.blocks?.[0]["Reporting-MTA"], "dns; mail.domain.de");
      equal(dsn.blocks?.length, 2);
      const recipient = dsn.blocks![1];
      deepEqual(
        [recipient["Final-Recipient"], recipient["Action"], recipient["Status"]],
        ["rfc822; nobody@example.net", "failed", "5.1.1"],
      );
      equal(recipient["Remote-MTA"], "dns; 127.0.0.1");
      match(recipient["Diagnostic-Code"], /^smtp; 550 5\.1\.1 <nobody@example\.net>: Recipient/);
      match(dsn.returnedHeaders!, /^Subject: bounced$/m);
      match(dsn.returnedHeaders!, /^Received: /m);
      deepEqual(relay.messages.map((message) => message.to), [["friend@example.net"]]);
    } finally {
      await tollgate.stop();
    }
  }));

Deno.test("delivery: with the relay down the message waits; once it is up, it is delivered", async () => {
  const reserved = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (reserved.addr as Deno.NetAddr).port;
  reserved.close();
  const tollgate = await tollgateWithRelay(port);
  try {
    const id = await submit(tollgate, { to: "friend@example.net", subject: "waited" });
    const waiting = await eventually("a failed attempt", async () => {
      const item = await queueItem(tollgate, id);
      return item && item.recipients[0].attempts >= 1 ? item : undefined;
    });
    equal(waiting.recipients[0].status, "queued");
    match(waiting.recipients[0].lastReply ?? "", /refused|connect/i);
    await withRelay({ port }, async (relay) => {
      await eventually(
        "the relay to take the message",
        () => Promise.resolve(relay.messages.length > 0 ? true : undefined),
      );
      equal(subjectOf(relay.messages[0].body), "waited");
      await eventually(
        "the queue to drop it",
        async () => (await queueItem(tollgate, id)) === undefined ? true : undefined,
      );
    });
  } finally {
    await tollgate.stop();
  }
});

Deno.test("delivery: wrong relay credentials keep the message queued with the reason", () =>
  withRelay({ authMethods: ["PLAIN", "LOGIN"], allowInsecureAuth: true }, async (relay) => {
    const tollgate = await tollgateWithRelay(relay.port, { username: "trottel", password: "typo" });
    try {
      const id = await submit(tollgate, { to: "friend@example.net", subject: "kept" });
      const item = await eventually("two refused attempts", async () => {
        const current = await queueItem(tollgate, id);
        return current && current.recipients[0].attempts >= 2 ? current : undefined;
      });
      equal(item.recipients[0].status, "queued");
      match(item.recipients[0].lastReply ?? "", /AUTH/);
      match(item.recipients[0].lastReply ?? "", /535/);
      equal(relay.messages.length, 0);
      equal(relay.auths.every((auth) => auth.username === "trottel" && !auth.accepted), true);
    } finally {
      await tollgate.stop();
    }
  }));

Deno.test("delivery: SIGKILL during delivery; after the restart every message arrives", async () => {
  const reserved = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (reserved.addr as Deno.NetAddr).port;
  reserved.close();
  const dataDir = await Deno.makeTempDir({ prefix: "tollgate-kill-" });
  const subjects = Array.from({ length: 10 }, (_, n) => `crash ${n}`);
  let received = 0;
  try {
    const first = await tollgateWithRelay(port, {}, dataDir);
    let killed: Promise<Deno.CommandStatus> | undefined;
    try {
      for (const subject of subjects) await submit(first, { to: "friend@example.net", subject });
      // The relay comes up; as it receives the third message, Tollgate is killed before it
      // hears the relay's reply.
      await withRelay({
        port,
        refuseMessage: () => {
          if (++received === 3) killed = first.kill("SIGKILL");
          return undefined;
        },
      }, async (relay) => {
        const status = await eventually("the kill", () => killed ?? Promise.resolve(undefined));
        equal(status.signal, "SIGKILL");
        const second = await startTollgate({ env: FAST_RETRY, dataDir });
        try {
          await eventually("every message at the relay", () => {
            const seen = new Set(relay.messages.map((message) => subjectOf(message.body)));
            return Promise.resolve(subjects.every((s) => seen.has(s)) ? true : undefined);
          });
          await eventually("an empty queue", async () => {
            const page = await adminOk(second, { method: "GET", path: "/api/queue" }) as {
              messages: unknown[];
            };
            return page.messages.length === 0 ? true : undefined;
          });
        } finally {
          await second.stop();
        }
        // At least once: what the relay had accepted before the kill may come again.
        const duplicates = relay.messages.length - subjects.length;
        equal(duplicates >= 0 && duplicates <= 3, true, `${duplicates} duplicates`);
      });
    } finally {
      await first.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("delivery: mail for a local user lands in its Maildir", async () => {
  const tollgate = await startTollgate({ env: FAST_RETRY });
  try {
    await addLocalUser(tollgate, SENDER);
    const id = await submit(tollgate, {
      from: "stranger@example.net",
      to: "Test@Domain.DE",
      subject: "for the mailbox",
      auth: false,
    });
    const [mail] = await eventually("the Maildir file", async () => {
      const mails = await maildir(tollgate, SENDER.address);
      return mails.length > 0 ? mails : undefined;
    });
    match(mail, /^Return-Path: <stranger@example\.net>\nDelivered-To: test@domain\.de\nReceived: /);
    equal(subjectOf(mail), "for the mailbox");
    equal(mail.includes("\r"), false);
    match(mail, /\n\nBody of for the mailbox\.\n$/);
    await eventually(
      "the queue to drop it",
      async () => (await queueItem(tollgate, id)) === undefined ? true : undefined,
    );
  } finally {
    await tollgate.stop();
  }
});

Deno.test("delivery: a large message (kept in the body log) arrives whole; its body goes with it", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tollgate-large-" });
  const tollgate = await startTollgate({ env: FAST_RETRY, dataDir });
  try {
    await addLocalUser(tollgate, SENDER);
    const text = Array.from({ length: 3000 }, (_, n) => `line ${n} ${"z".repeat(60)}`).join("\n");
    const id = await submit(tollgate, {
      from: "stranger@example.net",
      to: SENDER.address,
      subject: "large",
      auth: false,
      text: `${text}\n`,
    });
    const [mail] = await eventually("the Maildir file", async () => {
      const mails = await maildir(tollgate, SENDER.address);
      return mails.length > 0 ? mails : undefined;
    });
    equal(mail.slice(mail.indexOf("\n\nline 0 ") + 2), `${text}\n`);
    await eventually(
      "the queue to drop it",
      async () => (await queueItem(tollgate, id)) === undefined ? true : undefined,
    );
    await eventually(
      "its log segment to go",
      async () => (await fileNames(`${dataDir}/bodies/log`)).length === 0 || undefined,
    );
  } finally {
    await tollgate.stop();
  }
  try {
    deepEqual(await fileNames(`${dataDir}/bodies`), ["log"]);
    equal(await withReopenedStores(dataDir, async () => {}), 0, "nothing left for a restart");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("delivery: MX lookup through a local dnsmasq reaches a second Tollgate", async () => {
  const receiver = await startTollgate({ env: FAST_RETRY });
  const dns = await startDnsmasq([
    "--mx-host=example.test,mx.example.test,10",
    "--host-record=mx.example.test,127.0.0.1",
  ]);
  try {
    await addLocalUser(receiver, { address: "friend@example.test", password: "unused" });
    const sender = await startTollgate({ env: { ...FAST_RETRY, TOLLGATE_DNS: dns.address } });
    try {
      await addLocalUser(sender, SENDER);
      // No relay: MX hosts, on the receiver's port instead of 25 (qmail's `domain::port`).
      await adminOk(sender, {
        method: "PUT",
        path: "/api/routes/example.test",
        body: { port: receiver.smtpPort, tls: "opportunistic" },
      });
      const id = await submit(sender, { to: "friend@example.test", subject: "via MX" });
      const [mail] = await eventually("the receiver's Maildir file", async () => {
        const mails = await maildir(receiver, "friend@example.test");
        return mails.length > 0 ? mails : undefined;
      });
      match(mail, /^Return-Path: <test@domain\.de>\nDelivered-To: friend@example\.test\n/);
      equal(subjectOf(mail), "via MX");
      // Two Received headers: the receiver's (from the sender) above the sender's own.
      equal(mail.match(/^Received: /gm)?.length, 2);
      match(mail, /^Received: from unknown \(HELO mail\.domain\.de\)/m);
      await eventually(
        "the sender's queue to drop it",
        async () => (await queueItem(sender, id)) === undefined ? true : undefined,
      );
      match(sender.output(), /friend@example\.test delivered: 250/);
    } finally {
      await sender.stop();
    }
  } finally {
    await dns.stop();
    await receiver.stop();
  }
});
