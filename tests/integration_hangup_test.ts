/**
 * Clients that hang up in the middle of DATA: whatever the server had spooled of their bodies
 * (KV chunks, or a body file once a body outgrows one chunk) is deleted, nothing is queued for
 * them, and other clients are served as usual.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import { addLocalUser, listQueue, startTollgate } from "./_server.ts";

const USER = { address: "test@domain.de", password: "testing" };
const LINE = `${"h".repeat(70)}\r\n`;

/** Starts a message and sends `lines` lines of its body, then hangs up without the final dot. */
async function hangUpMidData(port: number, lines: number): Promise<void> {
  const client = await RawSmtpClient.connect(port);
  try {
    equal((await client.reply()).code, 220);
    equal((await client.command("EHLO quitter.test")).code, 250);
    equal((await client.command("MAIL FROM:<quitter@example.net>")).code, 250);
    equal((await client.command(`RCPT TO:<${USER.address}>`)).code, 250);
    equal((await client.command("DATA")).code, 354);
    await client.write(`Subject: never finished\r\n\r\n${LINE.repeat(lines)}`);
  } finally {
    client.close();
  }
}

async function bodyFiles(dataDir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${dataDir}/bodies`)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

Deno.test("a client hanging up mid-DATA leaves no spool and no body file behind", async () => {
  const server = await startTollgate();
  try {
    await addLocalUser(server, USER);
    // ~2 KiB (KV chunks) and ~360 KiB (a body file of its own).
    await Promise.all([hangUpMidData(server.smtpPort, 30), hangUpMidData(server.smtpPort, 5000)]);

    const client = await RawSmtpClient.connect(server.smtpPort);
    try {
      await client.reply();
      await client.command("EHLO stayer.test");
      const reply = await sendMessage(client, {
        from: "stayer@example.net",
        to: [USER.address],
        body: `Subject: finished\r\n\r\n${LINE.repeat(5000)}`,
      });
      equal(reply.code, 250, reply.lines.join(" "));
    } finally {
      client.close();
    }

    // The server notices each hang-up when its read ends; wait (bounded) for the clean-up.
    const queued = await listQueue(server);
    deepEqual(queued.map((message) => message.from), ["stayer@example.net"]);
    for (let waited = 0; waited < 10_000; waited += 50) {
      if ((await bodyFiles(server.dataDir)).length <= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    deepEqual(await bodyFiles(server.dataDir), [queued[0].id]);
  } finally {
    await server.stop();
  }
});
