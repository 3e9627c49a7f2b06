import { deepEqual, equal } from "node:assert/strict";
import { LoginLimiter } from "../auth/login_limiter.ts";
import type { ByteStream } from "../runtime/deno/byte_stream.ts";
import { ClientCheckQueue } from "../server/client_check_queue.ts";
import { ReadDeadlines } from "../server/read_deadlines.ts";
import { type ConnectionDeps, type Peer, startConnection } from "../server/smtp_connection.ts";
import { ServerSession } from "../smtp/server_session.ts";
import type { MechanismName } from "../auth/sasl.ts";
import { createMemoryStores } from "../store/memory/stores.ts";

const PEER: Peer = { clientAddress: "192.0.2.1", peer: "192.0.2.1:4000" };
const decoder = new TextDecoder();

/** A listener's dependencies with short deadlines; AUTH (in the clear) only with `authMechanisms`. */
function connectionDeps(
  reads: ReadDeadlines,
  log: string[],
  authMechanisms: MechanismName[] = [],
): ConnectionDeps {
  return {
    stores: createMemoryStores(() => Date.now()),
    verifier: { verify: () => Promise.resolve({ kind: "rejected" }) },
    limiter: new LoginLimiter(),
    checks: new ClientCheckQueue(2),
    idleTimeoutMs: 20,
    now: Date.now,
    log: (line) => log.push(line),
    reads,
    newSession: ({ clientAddress }) =>
      new ServerSession({
        hostname: "mail.example.net",
        clientAddress,
        maxMessageBytes: 1 << 20,
        authMechanisms,
        authFailureDelayMs: 0,
        randomBytes: (n) => new Uint8Array(n),
      }),
  };
}

/** A stream whose reads `read` answers, recording what was written and how often it closed. */
function fakeStream(read: ByteStream["read"]) {
  const written: string[] = [];
  const counts = { closed: 0 };
  const stream: ByteStream = {
    read,
    write: (bytes) => {
      written.push(decoder.decode(bytes));
      return Promise.resolve();
    },
    close: () => void counts.closed++,
  };
  return { stream, written, counts };
}

/** A read the client never answers. */
const silent = () => new Promise<Uint8Array | null>(() => {});

/** Waits long enough for several deadline sweeps and a timeout. */
const pastTheDeadline = () => new Promise((resolve) => setTimeout(resolve, 80));

Deno.test("connection: a stream whose read throws at once ends the connection exactly once", async () => {
  const reads = new ReadDeadlines({ tickMs: 5, now: Date.now });
  const log: string[] = [];
  const { stream, written, counts } = fakeStream(() => {
    throw new Error("read refused");
  });
  const ended: Peer[] = [];
  startConnection(stream, connectionDeps(reads, log), PEER, (peer) => ended.push(peer));
  await pastTheDeadline();
  // Had the failed read stayed watched, its timeout would have ended the connection again.
  deepEqual(ended, [PEER]);
  equal(counts.closed, 1);
  equal(written.length, 1, "only the greeting");
  deepEqual(log, ["smtp 192.0.2.1:4000 error read refused"]);
  reads.shutdown();
});

Deno.test("connection: a session that cannot be made ends the connection, logged", async () => {
  const reads = new ReadDeadlines({ tickMs: 5, now: Date.now });
  const log: string[] = [];
  const { stream, counts } = fakeStream(silent);
  const deps = connectionDeps(reads, log);
  deps.newSession = () => {
    throw new TypeError("no session today");
  };
  const ended: Peer[] = [];
  startConnection(stream, deps, PEER, (peer) => ended.push(peer));
  await pastTheDeadline();
  deepEqual(ended, [PEER]);
  equal(counts.closed, 1);
  deepEqual(log, ["smtp 192.0.2.1:4000 error no session today"]);
  reads.shutdown();
});

Deno.test("connection: a silent client gets 421 at its deadline and is ended once", async () => {
  const reads = new ReadDeadlines({ tickMs: 5, now: Date.now });
  // The client says nothing after the greeting.
  const { stream, written, counts } = fakeStream(silent);
  const ended: Peer[] = [];
  startConnection(stream, connectionDeps(reads, []), PEER, (peer) => ended.push(peer));
  await pastTheDeadline();
  deepEqual(ended, [PEER]);
  equal(counts.closed, 1);
  equal(written.length, 2);
  equal(written[1].slice(0, 10), "421 4.4.2 ");
  reads.shutdown();
});

Deno.test("connection: times come from the injected clock (the failed-login line's time)", async () => {
  const reads = new ReadDeadlines({ tickMs: 1_000, now: Date.now });
  const log: string[] = [];
  const plain = btoa("\0alice@example.net\0wrong");
  const input = [`EHLO client.example.net\r\nAUTH PLAIN ${plain}\r\nQUIT\r\n`];
  const { stream, written } = fakeStream(() => {
    const next = input.shift();
    return Promise.resolve(next === undefined ? null : new TextEncoder().encode(next));
  });
  const deps = connectionDeps(reads, log, ["PLAIN"]);
  deps.now = () => Date.UTC(2031, 0, 2, 3, 4, 5);
  const ended = new Promise<Peer>((resolve) => startConnection(stream, deps, PEER, resolve));
  await ended;
  reads.shutdown();
  equal(written.some((reply) => reply.startsWith("535 ")), true, written.join(""));
  equal(
    log.filter((line) => line.startsWith("2031-01-02T03:04:05.000Z tollgate: auth failed")).length,
    1,
    log.join("\n"),
  );
});
