/**
 * Hostile load: while hundreds of hostile sessions run — password guessers,
 * idle connections, clients trickling one byte a second — legitimate clients
 * keep authenticating and sending. Reports the legitimate clients' latency
 * (connect to the final `250`) and how many passwords one attacker address
 * got checked per minute. Bounded: a fixed duration and fixed counts.
 *
 * Attackers, idlers and tricklers come from their own loopback addresses
 * (127.0.0.2–4, bound with `node:net`), legitimate clients from 127.0.0.1,
 * so per-address limits and bans apply to each group as they would on the
 * Internet.
 *
 * @module
 */
import net from "node:net";
import { RawSmtpClient, sendMessage } from "../tests/_raw_smtp.ts";
import { addLocalUser, type RunningTollgate, startTollgate } from "../tests/_server.ts";

/** How hard to push. */
export interface HostileLoad {
  durationMs: number;
  guessers: number;
  idlers: number;
  tricklers: number;
  legitimateClients: number;
}

/** What the run measured. */
export interface HostileResult {
  load: HostileLoad;
  legitimateMessages: number;
  legitimateFailures: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Passwords actually checked (answered 535) for the guessing address, per minute. */
  guessesCheckedPerMinute: number;
  /** Connections of the guessing address refused outright (421) once it was banned. */
  guesserConnectionsRefused: number;
}

const USER = { address: "legit@domain.de", password: "the-right-password" };
const PLAIN_WRONG = btoa("\0legit@domain.de\0wrong-password");
const PLAIN_RIGHT = btoa(`\0${USER.address}\0${USER.password}`);

/** A raw line client bound to a chosen loopback source address. */
function connectFrom(localAddress: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Reads until a final reply line; resolves with its code (0 if the peer closed first). */
function finalReply(socket: net.Socket): Promise<number> {
  return new Promise((resolve) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      const match = /(?:^|\r\n)(\d{3}) [^\r\n]*\r\n$/.exec(buffer);
      if (match) done(Number(match[1]));
    };
    const done = (code: number) => {
      socket.off("data", onData);
      socket.off("close", onClose);
      resolve(code);
    };
    const onClose = () => done(0);
    socket.on("data", onData);
    socket.once("close", onClose);
  });
}

async function guesser(port: number, until: number, counts: { checked: number; refused: number }) {
  while (Date.now() < until) {
    const socket = await connectFrom("127.0.0.2", port).catch(() => undefined);
    if (!socket) continue;
    try {
      const greeting = await finalReply(socket);
      if (greeting === 421) {
        counts.refused++;
        continue;
      }
      socket.write("EHLO guesser.test\r\n");
      await finalReply(socket);
      while (Date.now() < until) {
        socket.write(`AUTH PLAIN ${PLAIN_WRONG}\r\n`);
        const code = await finalReply(socket);
        if (code === 535) counts.checked++;
        else break; // 421: banned, or the connection closed
      }
    } finally {
      socket.destroy();
    }
  }
}

async function idler(port: number, until: number) {
  const socket = await connectFrom("127.0.0.3", port).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
  socket?.destroy();
}

async function trickler(port: number, until: number) {
  const socket = await connectFrom("127.0.0.4", port).catch(() => undefined);
  if (!socket) return;
  socket.on("error", () => {});
  const command = "EHLO a-very-slow-client.test\r\n";
  for (let i = 0; Date.now() < until && !socket.destroyed; i = (i + 1) % command.length) {
    socket.write(command[i]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  socket.destroy();
}

async function legitimate(port: number, until: number, latencies: number[], failures: number[]) {
  for (let n = 0; Date.now() < until; n++) {
    const started = performance.now();
    const client = await RawSmtpClient.connect(port);
    try {
      await client.reply();
      await client.command("EHLO legit.test");
      const auth = await client.command(`AUTH PLAIN ${PLAIN_RIGHT}`);
      const reply = auth.code === 235
        ? await sendMessage(client, {
          from: USER.address,
          to: [USER.address],
          body: `Subject: legit ${n}\r\n\r\nhello\r\n`,
        })
        : auth;
      if (reply.code === 250) latencies.push(performance.now() - started);
      else failures.push(reply.code);
      await client.command("QUIT");
    } catch {
      failures.push(0);
    } finally {
      client.close();
    }
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Runs the hostile load against a fresh Tollgate and returns what it measured. */
export async function measureHostileLoad(load: HostileLoad): Promise<HostileResult> {
  const tollgate: RunningTollgate = await startTollgate({
    env: { TOLLGATE_AUTH_FAILURE_DELAY_MS: "1000", TOLLGATE_MAX_CONNECTIONS_PER_CLIENT: "200" },
  });
  try {
    await addLocalUser(tollgate, USER);
    const port = tollgate.smtpPort;
    const started = Date.now();
    const until = started + load.durationMs;
    const counts = { checked: 0, refused: 0 };
    const latencies: number[] = [];
    const failures: number[] = [];
    await Promise.all([
      ...Array.from({ length: load.guessers }, () => guesser(port, until, counts)),
      ...Array.from({ length: load.idlers }, () => idler(port, until)),
      ...Array.from({ length: load.tricklers }, () => trickler(port, until)),
      ...Array.from(
        { length: load.legitimateClients },
        () => legitimate(port, until, latencies, failures),
      ),
    ]);
    const minutes = (Date.now() - started) / 60_000;
    latencies.sort((a, b) => a - b);
    return {
      load,
      legitimateMessages: latencies.length,
      legitimateFailures: failures.length,
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        max: latencies.at(-1) ?? NaN,
      },
      guessesCheckedPerMinute: counts.checked / minutes,
      guesserConnectionsRefused: counts.refused,
    };
  } finally {
    await tollgate.stop();
  }
}

/** The `## Under attack` section of `docs/benchmarks.md`. */
export function hostileSection(result: HostileResult): string {
  const { load, latencyMs } = result;
  return `## Under attack (bench/hostile_load.ts)

${load.guessers} password-guessing connections from one address (127.0.0.2), ${load.idlers} idle
connections (127.0.0.3), ${load.tricklers} clients trickling one byte a second (127.0.0.4), and
${load.legitimateClients} legitimate clients (127.0.0.1) each looping connect, EHLO, AUTH PLAIN,
one message, QUIT, for ${load.durationMs / 1000} s with the default limits.

| measure | value |
| --- | ---: |
| legitimate messages accepted | ${result.legitimateMessages} |
| legitimate sessions that failed | ${result.legitimateFailures} |
| legitimate latency p50 / p99 / max (ms, connect to final 250) | ${latencyMs.p50.toFixed(0)} / ${
    latencyMs.p99.toFixed(0)
  } / ${latencyMs.max.toFixed(0)} |
| passwords checked for the guessing address, per minute | ${
    result.guessesCheckedPerMinute.toFixed(1)
  } |
| guessing connections refused with 421 once banned | ${result.guesserConnectionsRefused} |
`;
}

if (import.meta.main) {
  const result = await measureHostileLoad({
    durationMs: 20_000,
    guessers: 100,
    idlers: 100,
    tricklers: 50,
    legitimateClients: 10,
  });
  console.log(hostileSection(result));
}
