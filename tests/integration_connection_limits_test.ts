/**
 * The per-client connection limit counts open connections, not connections
 * ever made: Postfix's `smtp-source` opens one connection per message, a few
 * at a time, far below the limit, and every message must get its `250`. A
 * count read before the (possibly remote) ban check and written back after it
 * once counted connections that had ended meanwhile again, until one busy
 * client was refused with `421 too many connections`.
 *
 * @module
 */
import { equal } from "node:assert/strict";
import { adminOk, type RunningTollgate, startTollgate } from "./_server.ts";

const SMTP_SOURCE = "/usr/sbin/smtp-source";
const MESSAGES = 1000;
const SESSIONS = 20;
/** Twice the sessions: room for a closed connection the server has not finished yet. */
const PER_CLIENT_LIMIT = 2 * SESSIONS;

async function sendOneMessagePerConnection(tollgate: RunningTollgate): Promise<void> {
  const { code, stderr } = await new Deno.Command(SMTP_SOURCE, {
    args: ["-s", String(SESSIONS), "-m", String(MESSAGES), "-l", "200", "-f", "a@example.net"]
      .concat(["-t", "u@example.net", `127.0.0.1:${tollgate.smtpPort}`]),
    stdin: "null",
    stdout: "null",
    signal: AbortSignal.timeout(60_000),
  }).output();
  equal(code, 0, new TextDecoder().decode(stderr));
}

Deno.test("connection limits: hundreds of short connections from one client stay under its limit", async () => {
  const tollgate = await startTollgate({
    env: { TOLLGATE_MAX_CONNECTIONS_PER_CLIENT: String(PER_CLIENT_LIMIT) },
  });
  try {
    // Relayed for a trusted network; delivery is off in tests, so the messages stay queued.
    await adminOk(tollgate, {
      method: "POST",
      path: "/api/relay-networks",
      body: { cidr: "127.0.0.0/8" },
    });
    await sendOneMessagePerConnection(tollgate);
    const log = tollgate.output();
    equal(log.match(/refused: too many connections/g)?.length ?? 0, 0, "no connection refused");
    equal(log.match(/ queued [0-9a-f]{20} /g)?.length, MESSAGES);
  } finally {
    await tollgate.stop();
  }
});
