import { equal, ok } from "node:assert/strict";
import { fileNames, withReopenedStores, withTempDir } from "./_data_dir.ts";
import { readAll } from "./_store_helpers.ts";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import { addLocalUser, listQueue, type QueuedEnvelope, startTollgate } from "./_server.ts";

const USER = { address: "test@domain.de", password: "testing" };
const CLIENTS = 4;
const MAX_MESSAGES_PER_CLIENT = 60;
/** SIGKILL the server once this many messages got their final 250. */
const KILL_AFTER_ACKNOWLEDGED = 40;
/** A body of ~2 KiB (kept in KV chunks) or ~140 KiB (kept in the body log). */
const SMALL_FILLER = `${"x".repeat(70)}\r\n`.repeat(30);
const LARGE_FILLER = `${"y".repeat(70)}\r\n`.repeat(2000);

Deno.test("every message acknowledged with 250 survives a SIGKILL of the server", async () => {
  await withDataDir((dataDir) => killMidLoad(dataDir, SMALL_FILLER));
});

Deno.test("every large message (in the body log) acknowledged with 250 survives a SIGKILL", async () => {
  await withDataDir(async (dataDir) => {
    const queued = await killMidLoad(dataDir, LARGE_FILLER);
    // Every queued body reads back whole, and no log segment is left that no message uses.
    const leftovers = await withReopenedStores(dataDir, async (stores) => {
      for (const message of queued) {
        const body = new TextDecoder().decode(await readAll(stores.queue.readBody(message.id)));
        ok(body.includes(`Message-ID: <${message.from}>`), `${message.id} has its own body`);
        ok(body.endsWith(`\r\n\r\n${LARGE_FILLER}`), `${message.id} is whole`);
      }
    });
    equal(leftovers, 0, "the restarted server had deleted what the crash left");
    const segments = await fileNames(`${dataDir}/bodies/log`);
    ok(
      segments.length > 0 && segments.length <= 8,
      `${segments.length} segments: one per lane at most`,
    );
  });
});

/** Runs `body` with a fresh data folder, removed afterwards. */
const withDataDir = (body: (dataDir: string) => Promise<unknown>) =>
  withTempDir("tollgate-durability-", body);

/**
 * Sends from several clients, kills the server with SIGKILL after a number
 * of 250s, restarts it on the same data and checks nothing acknowledged is
 * lost; returns what the restarted server had queued.
 */
async function killMidLoad(dataDir: string, filler: string): Promise<QueuedEnvelope[]> {
  const first = await startTollgate({ dataDir });
  const acknowledged: string[] = [];
  let killed: Promise<Deno.CommandStatus> | undefined;
  try {
    await addLocalUser(first, USER);
    let next = 0;
    const sendLoop = async (clientNumber: number) => {
      const client = await RawSmtpClient.connect(first.smtpPort);
      try {
        equal((await client.reply()).code, 220);
        equal((await client.command(`EHLO client${clientNumber}.test`)).code, 250);
        for (let sent = 0; sent < MAX_MESSAGES_PER_CLIENT; sent++) {
          const sender = `m${next++}@example.net`;
          const reply = await sendMessage(client, {
            from: sender,
            to: [USER.address],
            body: `Message-ID: <${sender}>\r\nSubject: ${sender}\r\n\r\n${filler}`,
          });
          equal(reply.code, 250, `${sender}: ${reply.code} ${reply.lines.join(" ")}`);
          acknowledged.push(sender);
          if (acknowledged.length === KILL_AFTER_ACKNOWLEDGED) killed = first.kill("SIGKILL");
        }
      } catch (error) {
        if (killed === undefined) throw error;
      } finally {
        client.close();
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, index) => sendLoop(index)));
    ok(killed, "the clients finished before the server was killed: raise the bounds");
    equal((await killed).signal, "SIGKILL");
  } finally {
    await first.stop();
  }

  const second = await startTollgate({ dataDir });
  try {
    const queued = await listQueue(second);
    const queuedSenders = new Set(queued.map((message) => message.from));
    const lost = acknowledged.filter((sender) => !queuedSenders.has(sender));
    equal(lost.length, 0, `acknowledged but lost after SIGKILL: ${lost.join(", ")}`);
    ok(acknowledged.length >= KILL_AFTER_ACKNOWLEDGED);
    return queued;
  } finally {
    await second.stop();
  }
}
