/**
 * Memory per idle connection: open 1,000 connections to one server (each greeted and
 * answered `EHLO`, then silent), and read the server's `VmRSS` from `/proc/<pid>/status`
 * before and after. Tollgate (connection limits raised through its environment for this
 * run), nodemailer's smtp-server, and Haraka when it is installed.
 *
 * Standalone: `deno run -A bench/idle_memory.ts`; `bench/run.ts` adds its section to
 * `docs/benchmarks.md`.
 *
 * @module
 */

import { RawSmtpClient } from "../tests/_raw_smtp.ts";
import { ensureHaraka, startHaraka } from "./_haraka.ts";
import { readMemoryCounters } from "./_proc_status.ts";
import type { ServerName } from "./_report.ts";
import { taskFlags } from "../tests/_server.ts";
import {
  type BenchServer,
  RAISED_CONNECTION_LIMITS,
  startDenoFloor,
  startSmtpServer,
  startTollgateServer,
  withServer,
} from "./_servers.ts";

/** How many idle connections, opened how many at a time, after how many warm-up ones. */
export const IDLE_LOAD = { connections: 1000, openAtOnce: 50, warmUpConnections: 50 };
/** How long the server gets to settle before each reading. */
const SETTLE_MS = 1_000;

/** One server's resident memory around the idle connections. */
export interface IdleMemoryResult {
  server: ServerName;
  connections: number;
  beforeKiB: number;
  afterKiB: number;
}

async function openIdle(port: number): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(port);
  try {
    for (const [command, code] of [[undefined, 220], ["EHLO idle.test", 250]] as const) {
      const reply = command === undefined ? await client.reply() : await client.command(command);
      if (reply.code !== code) {
        throw new Error(`Idle connection: expected ${code}, got ${reply.code}`);
      }
    }
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}

async function openMany(port: number, count: number): Promise<RawSmtpClient[]> {
  const clients: RawSmtpClient[] = [];
  try {
    while (clients.length < count) {
      const batch = Math.min(IDLE_LOAD.openAtOnce, count - clients.length);
      clients.push(...await Promise.all(Array.from({ length: batch }, () => openIdle(port))));
    }
    return clients;
  } catch (error) {
    for (const client of clients) client.close();
    throw error;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** Measures one running server; it must expose its process id. */
export async function measureIdleMemory(server: BenchServer): Promise<IdleMemoryResult> {
  if (server.pid === undefined) throw new TypeError(`Cannot read ${server.name}'s memory: no pid`);
  for (const client of await openMany(server.port, IDLE_LOAD.warmUpConnections)) client.close();
  await settle();
  const before = await readMemoryCounters(server.pid);
  const clients = await openMany(server.port, IDLE_LOAD.connections);
  try {
    await settle();
    const after = await readMemoryCounters(server.pid);
    const result = {
      server: server.name,
      connections: clients.length,
      beforeKiB: before.currentKiB,
      afterKiB: after.currentKiB,
    };
    console.log(
      `${server.name}, ${clients.length} idle connections: ${perConnection(result)} KiB each`,
    );
    return result;
  } finally {
    for (const client of clients) client.close();
  }
}

function perConnection(result: IdleMemoryResult): string {
  return ((result.afterKiB - result.beforeKiB) / result.connections).toFixed(1);
}

/** Tollgate, smtp-server, Haraka (one process) when it installs, and the bare Deno floor. */
export async function measureIdleMemoryAll(): Promise<IdleMemoryResult[]> {
  const tollgate = () => startTollgateServer({ env: RAISED_CONNECTION_LIMITS });
  const v8Defaults = () =>
    startTollgateServer({
      env: RAISED_CONNECTION_LIMITS,
      runtimeFlags: taskFlags("start").runtime.filter((flag) => !flag.startsWith("--v8-flags=")),
      name: "Tollgate, V8's default young generation",
    });
  const results = [
    await withServer(tollgate, measureIdleMemory),
    await withServer(v8Defaults, measureIdleMemory),
    await withServer(() => startSmtpServer(false), measureIdleMemory),
    await withServer(() => startDenoFloor("readable"), measureIdleMemory),
    await withServer(() => startDenoFloor("read-4k"), measureIdleMemory),
  ];
  const haraka = await ensureHaraka();
  if (haraka.ok) {
    const start = () => startHaraka(haraka.binary, { processes: 1 });
    results.push(await withServer(start, measureIdleMemory));
  }
  return results;
}

/** The `## Memory per idle connection` section of `docs/benchmarks.md`. */
export function idleMemorySection(results: IdleMemoryResult[]): string {
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  const rows = results.map((result) =>
    `| ${result.server} | ${result.connections} | ${mib(result.beforeKiB)} | ${
      mib(result.afterKiB)
    } | ${perConnection(result)} |`
  );
  return `## Memory per idle connection

| server | idle connections | VmRSS before MiB | VmRSS after MiB | KiB per connection |
| --- | ---: | ---: | ---: | ---: |
${rows.join("\n")}

Each connection is greeted and answers \`EHLO\`, then stays silent; ${IDLE_LOAD.openAtOnce}
are opened at a time from 127.0.0.1 until ${IDLE_LOAD.connections} are open. *before* is read
after ${IDLE_LOAD.warmUpConnections} warm-up connections were opened and closed, *after* with
all of them open, each ${SETTLE_MS} ms after the last change (\`VmRSS\` in \`/proc/<pid>/status\`).
Tollgate runs with \`TOLLGATE_MAX_CONNECTIONS\` and \`TOLLGATE_MAX_CONNECTIONS_PER_CLIENT\` at
${RAISED_CONNECTION_LIMITS.TOLLGATE_MAX_CONNECTIONS} (the defaults, 1,000 and 50, would refuse
most of them). The rise includes whatever the runtime's heap grew by meanwhile, so it is
an upper bound on what one connection holds.

Tollgate runs as \`deno task start\` runs it, with V8's young generation capped at 2 MiB per
semi-space (\`--v8-flags=--max-semi-space-size=2\`). *V8's default young generation* leaves
that flag out: V8 then grows its young generation as the connections' objects survive its
collections, and that growth shows in the rise (see \`docs/performance.md\`).

The two *bare Deno server* rows (\`bench/deno_floor_peer.ts\`: greet, answer each line with
\`250\`, nothing else) are the floor under any Deno server. They differ only in how they read:
through \`conn.readable\`, or with \`conn.read\` into the server's own 4 KiB buffer; the gap
between them is what a read pending on \`conn.readable\` holds per connection.
`;
}

if (import.meta.main) {
  console.log(idleMemorySection(await measureIdleMemoryAll()));
}
