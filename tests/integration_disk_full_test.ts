/**
 * A full disk: Tollgate's data folder on a small tmpfs mounted by the test
 * (root, as in CI). While the disk is full, a message gets `452`, never
 * `250`; once space is back, mail is accepted again, and every message that
 * got `250` is in the queue.
 */
import { equal, ok } from "node:assert/strict";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import { addLocalUser, listQueue, startTollgate } from "./_server.ts";
import { withReopenedStores } from "./_data_dir.ts";
import { readAll } from "./_store_helpers.ts";

const TMPFS_BYTES = 6 * 1024 * 1024;
const MESSAGE = `Subject: filler\r\n\r\n${`${"z".repeat(998)}\r\n`.repeat(100)}`;

async function mountTmpfs(dir: string): Promise<void> {
  const { success, stderr } = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${TMPFS_BYTES}`, "tmpfs", dir],
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(
      `This test mounts a tmpfs and needs root (as CI has): ${new TextDecoder().decode(stderr)}`,
    );
  }
}

async function send(port: number, n: number): Promise<number> {
  const client = await RawSmtpClient.connect(port);
  try {
    await client.reply();
    await client.command("EHLO full.test");
    const reply = await sendMessage(client, {
      from: `m${n}@example.net`,
      to: ["test@domain.de"],
      body: MESSAGE,
    });
    return reply.code;
  } finally {
    client.close();
  }
}

Deno.test("a full disk answers 452, not 250, and recovers once space is back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-full-" });
  await mountTmpfs(dir);
  const server = await startTollgate({ dataDir: `${dir}/data` });
  try {
    await addLocalUser(server, { address: "test@domain.de", password: "testing" });
    // Leave roughly a megabyte free.
    const filler = `${dir}/filler`;
    await Deno.writeFile(filler, new Uint8Array(TMPFS_BYTES - 1536 * 1024)).catch(() => {});
    const accepted: number[] = [];
    let refusal = 0;
    for (let n = 0; n < 60 && refusal === 0; n++) {
      const code = await send(server.smtpPort, n);
      if (code === 250) accepted.push(n);
      else refusal = code;
    }
    equal(refusal, 452, `the full disk was answered with ${refusal}\n${server.output()}`);
    ok(server.output().includes("spool error"), server.output());

    await Deno.remove(filler);
    equal(await send(server.smtpPort, 1000), 250, server.output());
    const queued = await listQueue(server);
    const senders = new Set(queued.map((message) => message.from));
    for (const n of [...accepted, 1000]) ok(senders.has(`m${n}@example.net`), `m${n} was lost`);
    await server.stop();
    // Every acknowledged body reads back whole, those written before the disk filled included.
    await withReopenedStores(`${dir}/data`, async (stores) => {
      for (const message of queued) {
        const body = new TextDecoder().decode(await readAll(stores.queue.readBody(message.id)));
        ok(body.endsWith(`\r\n\r\n${MESSAGE.slice(MESSAGE.indexOf("\r\n\r\n") + 4)}`), message.id);
      }
    });
  } finally {
    await server.stop();
    await new Deno.Command("umount", { args: [dir] }).output();
    await Deno.remove(dir, { recursive: true });
  }
});
