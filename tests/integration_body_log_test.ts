/**
 * The body log under load, end to end: a real Tollgate process takes large messages from
 * several clients at once (their bodies interleave in the log's lanes) and delivers them to
 * nodemailer's smtp-server as its relay. Every body arrives whole, and once the queue is empty
 * no segment is left on disk.
 *
 * @module
 */
import { equal, ok } from "node:assert/strict";
import nodemailer from "nodemailer";
import { fileNames, withTempDir } from "./_data_dir.ts";
import { addLocalUser, adminOk, listQueue, startTollgate } from "./_server.ts";
import { startRelay } from "./_smtp_server_relay.ts";

const SENDER = { address: "test@domain.de", password: "testing" };
const CLIENTS = 6;
const MESSAGES_PER_CLIENT = 4;

/** A text of `lines` numbered 70-character lines, different for every message. */
function bodyText(message: number, lines: number): string {
  return Array.from(
    { length: lines },
    (_, line) => `m${message} l${line} ${"abcdefghij".repeat(7)}`.slice(0, 70),
  ).join("\n");
}

/** Polls `check` every 100 ms until it is true, for at most 30 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

Deno.test("body log: large messages from clients at once are delivered whole, and leave nothing on disk", () =>
  withTempDir("tollgate-body-log-", async (dataDir) => {
    const relay = await startRelay({});
    const tollgate = await startTollgate({
      dataDir,
      env: { TOLLGATE_QUEUE_RETRY: "1s", TOLLGATE_DELIVERY: "on" },
    });
    try {
      await addLocalUser(tollgate, SENDER);
      const route = { relay: "127.0.0.1", port: relay.port, tls: "none" };
      await adminOk(tollgate, { method: "PUT", path: "/api/routes/*", body: route });

      // 70 KiB to ~570 KiB: one log piece, and several (past 256 KiB).
      const texts = new Map<string, string>();
      await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
        const transport = nodemailer.createTransport({
          host: "127.0.0.1",
          port: tollgate.smtpPort,
          secure: false,
          ignoreTLS: true,
          auth: { user: SENDER.address, pass: SENDER.password, method: "PLAIN" },
        });
        try {
          for (let n = 0; n < MESSAGES_PER_CLIENT; n++) {
            const message = client * MESSAGES_PER_CLIENT + n;
            const text = bodyText(message, 1000 + 1600 * ((message * 7) % 5));
            texts.set(`m${message}`, text);
            await transport.sendMail({
              from: SENDER.address,
              to: "friend@example.net",
              subject: `m${message}`,
              text: `${text}\n`,
            });
          }
        } finally {
          transport.close();
        }
      }));

      await until(
        "every message at the relay",
        () => Promise.resolve(relay.messages.length === texts.size),
      );
      for (const relayed of relay.messages) {
        const subject = /^Subject: (m\d+)\r?$/m.exec(relayed.body)?.[1] ?? "";
        const text = texts.get(subject);
        ok(text !== undefined, `an unknown message arrived: ${relayed.body.slice(0, 200)}`);
        ok(relayed.body.endsWith(`${text.replaceAll("\n", "\r\n")}\r\n`), `${subject} is whole`);
        texts.delete(subject);
      }
      equal(texts.size, 0, "each message arrived once");
      await until("the queue to empty", async () => (await listQueue(tollgate)).length === 0);
      await until(
        "the log's segments to go",
        async () => (await fileNames(`${dataDir}/bodies/log`)).length === 0,
      );
    } finally {
      await tollgate.stop();
      await relay.close();
    }
  }));
