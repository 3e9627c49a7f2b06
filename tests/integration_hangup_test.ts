/**
 * Clients that hang up in the middle of DATA: whatever the server had spooled of their bodies
 * (KV chunks, or pieces of the body log once a body outgrows one chunk) is given up, nothing is
 * queued for them, and other clients are served as usual.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import { addLocalUser, listQueue, startTollgate } from "./_server.ts";
import { fileNames, withReopenedStores } from "./_data_dir.ts";
import { readAll } from "./_store_helpers.ts";

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

Deno.test("a client hanging up mid-DATA leaves no spool and no body behind", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tollgate-hangup-" });
  const server = await startTollgate({ dataDir });
  let stayerId = "";
  try {
    await addLocalUser(server, USER);
    // ~2 KiB (KV chunks) and ~360 KiB (the body log).
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

    const queued = await listQueue(server);
    deepEqual(queued.map((message) => message.from), ["stayer@example.net"]);
    stayerId = queued[0].id;
    // The server notices each hang-up when its read ends; wait (bounded) for the long one's
    // piece of the log to be given up: its segment goes, the stayer's stays.
    for (let waited = 0; waited < 10_000; waited += 50) {
      if ((await fileNames(`${dataDir}/bodies/log`)).length <= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    equal((await fileNames(`${dataDir}/bodies/log`)).length, 1, "the stayer's segment alone");
  } finally {
    await server.stop();
  }
  try {
    // Reopened, the stores keep the stayer's body whole and nothing of the quitters':
    // no KV spool, no body file, and the log segment the long one wrote to goes.
    await withReopenedStores(dataDir, async (stores) => {
      const body = new TextDecoder().decode(await readAll(stores.queue.readBody(stayerId)));
      equal(
        body.slice(body.indexOf("Subject: finished")),
        `Subject: finished\r\n\r\n${LINE.repeat(5000)}`,
      );
    });
    deepEqual(await fileNames(`${dataDir}/bodies`), ["log"]);
    equal((await fileNames(`${dataDir}/bodies/log`)).length, 1, "and after a restart");
    const kv = await Deno.openKv(`${dataDir}/tollgate.kv`);
    try {
      for await (const entry of kv.list({ prefix: ["spool"] })) {
        throw new Error(`left: ${entry.key}`);
      }
      for await (const entry of kv.list({ prefix: ["spool-pending"] })) {
        throw new Error(`left: ${entry.key}`);
      }
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
