import { equal } from "node:assert/strict";
import { parseConfig, startTollgate } from "../runtime/deno/mod.ts";
import { RawSmtpClient } from "./_raw_smtp.ts";

Deno.test("embedded Tollgate: serves SMTP in-process, and shutdown may be called twice at once", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tollgate-embedded-" });
  const log: string[] = [];
  try {
    const config = parseConfig({
      TOLLGATE_DATA: dataDir,
      TOLLGATE_SMTP: "127.0.0.1:0",
      TOLLGATE_SUBMISSION: "off",
      TOLLGATE_ADMIN: "127.0.0.1:0",
      TOLLGATE_ADMIN_TOKEN: "embedded-token-0123456789",
      TOLLGATE_DELIVERY: "off",
      TOLLGATE_DNS: "127.0.0.1:1",
    }, "mail.example.net");
    const tollgate = await startTollgate(config, (line) => log.push(line));
    const client = await RawSmtpClient.connect(tollgate.smtp.port);
    try {
      equal((await client.reply()).code, 220);
      equal((await client.command("EHLO client.example.net")).code, 250);
      // A signal handler and the embedding app may both stop it: both wait, KV closes once.
      const stops = [tollgate.shutdown(), tollgate.shutdown()];
      equal((await client.reply()).code, 421);
      await Promise.all(stops);
    } finally {
      client.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
