import { equal, match, ok } from "node:assert/strict";
import { LoginLimiter } from "../auth/login_limiter.ts";
import { UserStoreVerifier } from "../auth/store_verifier.ts";
import { ClientCheckQueue } from "../server/client_check_queue.ts";
import { type SmtpServer, startSmtpServer } from "../runtime/deno/smtp_server.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { createFastKdf } from "./_auth_fast_kdf.ts";
import { RawSmtpClient } from "./_raw_smtp.ts";

/** The real listener and driver on 127.0.0.1, memory stores, a short idle timeout. */
function listen(idleTimeoutMs: number): SmtpServer {
  const stores = createMemoryStores(() => Date.now());
  return startSmtpServer({
    listen: { hostname: "127.0.0.1", port: 0 },
    hostname: "mail.example.net",
    maxMessageBytes: 1 << 20,
    authMechanisms: ["PLAIN"],
    insecureAuth: "loopback",
    authFailureDelayMs: 0,
    maxConnections: 10,
    maxConnectionsPerClient: 10,
    idleTimeoutMs,
    now: Date.now,
    stores,
    verifier: new UserStoreVerifier(stores.users, {
      kdf: createFastKdf().kdf,
      cramMd5Enabled: false,
    }),
    limiter: new LoginLimiter(),
    checks: new ClientCheckQueue(2),
    log: () => {},
  });
}

/** Reads until the server closes; returns everything it sent. */
async function readToEnd(client: RawSmtpClient): Promise<string[]> {
  const lines: string[] = [];
  try {
    while (true) lines.push(...(await client.reply()).lines);
  } catch (error) {
    if (!(error instanceof Deno.errors.UnexpectedEof)) throw error;
  }
  return lines;
}

Deno.test("server: a silent client gets 421 4.4.2 after the idle timeout and is closed", async () => {
  const server = listen(200);
  const client = await RawSmtpClient.connect(server.address.port);
  try {
    equal((await client.reply()).code, 220);
    equal((await client.command("EHLO client.example.net")).code, 250);
    const reply = await client.reply();
    equal(reply.code, 421);
    match(reply.lines[0], /^4\.4\.2 timeout/);
    equal((await readToEnd(client)).length, 0);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("server: trickling a byte at a time does not hold the session (slowloris)", async () => {
  const server = listen(300);
  const client = await RawSmtpClient.connect(server.address.port);
  try {
    equal((await client.reply()).code, 220);
    const reply = client.reply();
    let timedOut = false;
    reply.then(() => timedOut = true, () => timedOut = true);
    // Far longer than the timeout if each byte moved the deadline: 200 bytes, 20 ms apart.
    let sent = 0;
    for (; sent < 200 && !timedOut; sent++) {
      await client.write("X").catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    ok(sent < 200, "the 421 came only after the client stopped trickling");
    const answer = await reply;
    equal(answer.code, 421);
    match(answer.lines[0], /^4\.4\.2 timeout/);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("server: shutdown answers idle sessions with 421 4.3.2 and waits for them", async () => {
  const server = listen(60_000);
  const clients = await Promise.all(
    [1, 2, 3].map(() => RawSmtpClient.connect(server.address.port)),
  );
  try {
    for (const client of clients) equal((await client.reply()).code, 220);
    equal((await clients[0].command("EHLO client.example.net")).code, 250);
    // Two callers (a signal handler and an embedding app, say) both wait for the end.
    const stopped = [server.shutdown(), server.shutdown()];
    for (const client of clients) {
      const reply = await client.reply();
      equal(reply.code, 421);
      match(reply.lines[0], /^4\.3\.2 shutting down/);
    }
    await Promise.all(stopped);
  } finally {
    for (const client of clients) client.close();
  }
});
