import { deepEqual, equal } from "node:assert/strict";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import { addLocalUser, listQueue, startTollgate } from "./_server.ts";

const USER = { address: "test@domain.de", password: "testing" };
const MESSAGE_BODY = "Subject: relay behaviour\r\n\r\nHello.\r\n";

async function openSession(port: number): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(port);
  equal((await client.reply()).code, 220);
  equal((await client.command("EHLO client.test")).code, 250);
  return client;
}

function plainResponse(user: string, password: string): string {
  return btoa(`\0${user}\0${password}`);
}

Deno.test("a fresh server with an empty configuration is no open relay", async () => {
  const tollgate = await startTollgate();
  try {
    const client = await openSession(tollgate.smtpPort);
    try {
      equal((await client.command("MAIL FROM:<stranger@example.net>")).code, 250);
      const rcpt = await client.command("RCPT TO:<someone@example.net>");
      equal(rcpt.code, 553);
      equal(rcpt.lines[0].startsWith("5.7.1 "), true, rcpt.lines[0]);
      equal((await client.command("DATA")).code, 503);
      deepEqual(await listQueue(tollgate), []);
    } finally {
      client.close();
    }
  } finally {
    await tollgate.stop();
  }
});

Deno.test("relay decisions for unauthenticated clients, seen on the wire", async (t) => {
  const tollgate = await startTollgate();
  try {
    await addLocalUser(tollgate, USER);
    const client = await openSession(tollgate.smtpPort);
    try {
      await t.step("relay to a foreign domain is refused with 553 5.7.1", async () => {
        equal((await client.command("MAIL FROM:<stranger@example.net>")).code, 250);
        const rcpt = await client.command("RCPT TO:<someone@example.net>");
        equal(rcpt.code, 553);
        equal(rcpt.lines[0].startsWith("5.7.1 "), true, rcpt.lines[0]);
      });
      await t.step("an unknown user of a local domain is refused with 550 5.1.1", async () => {
        const rcpt = await client.command("RCPT TO:<nobody@domain.de>");
        equal(rcpt.code, 550);
        equal(rcpt.lines[0].startsWith("5.1.1 "), true, rcpt.lines[0]);
        equal((await client.command("RSET")).code, 250);
      });
      await t.step("mail for a local user from anyone is accepted and queued", async () => {
        const reply = await sendMessage(client, {
          from: "anyone@example.net",
          to: [USER.address],
          body: MESSAGE_BODY,
        });
        equal(reply.code, 250);
        const queued = await listQueue(tollgate);
        equal(queued.length, 1);
        equal(queued[0].from, "anyone@example.net");
        deepEqual(queued[0].to, [USER.address]);
        equal(queued[0].authUser, null);
        equal(queued[0].helo, "client.test");
      });
    } finally {
      client.close();
    }
  } finally {
    await tollgate.stop();
  }
});

Deno.test("a failing AUTH delays only its own session, then answers 535", async () => {
  const tollgate = await startTollgate({ env: { TOLLGATE_AUTH_FAILURE_DELAY_MS: "1000" } });
  const events: string[] = [];
  let failing: RawSmtpClient | undefined;
  let other: RawSmtpClient | undefined;
  try {
    await addLocalUser(tollgate, USER);
    failing = await openSession(tollgate.smtpPort);
    await failing.write(`AUTH PLAIN ${plainResponse(USER.address, "wrong")}\r\n`);
    const failure = failing.reply().then((reply) => {
      events.push(`failing session: ${reply.code}`);
      return reply;
    });
    other = await RawSmtpClient.connect(tollgate.smtpPort);
    events.push(`other session: ${(await other.reply()).code}`);
    events.push(`other session: ${(await other.command("EHLO other.test")).code}`);
    equal((await failure).code, 535);
    deepEqual(events, ["other session: 220", "other session: 250", "failing session: 535"]);
    const retry = await failing.command(`AUTH PLAIN ${plainResponse(USER.address, "testing")}`);
    equal(retry.code, 235);
  } finally {
    other?.close();
    failing?.close();
    await tollgate.stop();
  }
});
