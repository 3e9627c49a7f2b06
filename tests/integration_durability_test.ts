import { equal, ok } from "node:assert/strict";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import { addLocalUser, listQueue, startTollgate } from "./_server.ts";

const USER = { address: "test@domain.de", password: "testing" };
const CLIENTS = 4;
const MAX_MESSAGES_PER_CLIENT = 60;
/** SIGKILL the server once this many messages got their final 250. */
const KILL_AFTER_ACKNOWLEDGED = 40;
const FILLER = `${"x".repeat(70)}\r\n`.repeat(30);

Deno.test("every message acknowledged with 250 survives a SIGKILL of the server", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tollgate-durability-" });
  try {
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
              body: `Message-ID: <${sender}>\r\nSubject: ${sender}\r\n\r\n${FILLER}`,
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
      const queuedSenders = new Set((await listQueue(second)).map((message) => message.from));
      const lost = acknowledged.filter((sender) => !queuedSenders.has(sender));
      equal(lost.length, 0, `acknowledged but lost after SIGKILL: ${lost.join(", ")}`);
      ok(acknowledged.length >= KILL_AFTER_ACKNOWLEDGED);
    } finally {
      await second.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
