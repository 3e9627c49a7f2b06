/**
 * Latency at c=100: 100 clients, each sending one 1 KiB message per connection over and
 * over; every session is timed from `connect` to the final `250` after the body. Reports
 * p50, p99 and p99/p50 for Tollgate, nodemailer's smtp-server and Postfix's smtp-sink.
 * The client is Deno code (`tests/_raw_smtp.ts`), the same for every server.
 *
 * Standalone: `deno run -A bench/latency.ts`; `bench/run.ts` adds its section to
 * `docs/benchmarks.md`.
 *
 * @module
 */

import { RawSmtpClient, sendMessage } from "../tests/_raw_smtp.ts";
import { median, type ServerName } from "./_report.ts";
import {
  BENCH_USER,
  type BenchServer,
  RAISED_CONNECTION_LIMITS,
  startSinkServer,
  startSmtpServer,
  startTollgateServer,
  withServer,
} from "./_servers.ts";
import { ensureSmtpSource } from "./_smtp_source.ts";

/** The load: sessions per run, clients at once, runs, warm-up sessions not counted. */
export const LATENCY_LOAD = {
  sessions: 1000,
  concurrency: 100,
  payloadBytes: 1024,
  runs: 3,
  warmUpSessions: 200,
};

/** Every timed session of one server, in milliseconds, and each run's sessions per second. */
export interface LatencyResult {
  server: ServerName;
  latenciesMs: number[];
  sessionsPerSecond: number[];
}

const LINE = "x".repeat(78) + "\r\n";
const BODY = "Subject: latency bench\r\n\r\n" +
  LINE.repeat(Math.ceil(LATENCY_LOAD.payloadBytes / LINE.length));

function expect(reply: { code: number; lines: string[] }, code: number, step: string): void {
  if (reply.code !== code) {
    throw new Error(`${step}: expected ${code}, got ${reply.code} ${reply.lines.join(" / ")}`);
  }
}

/** One session; resolves with the milliseconds from connect to the final 250. */
async function timedSession(port: number): Promise<number> {
  const started = performance.now();
  const client = await RawSmtpClient.connect(port);
  try {
    expect(await client.reply(), 220, "greeting");
    expect(await client.command("EHLO bench.test"), 250, "EHLO");
    const message = { from: BENCH_USER.address, to: [BENCH_USER.address], body: BODY };
    expect(await sendMessage(client, message), 250, "message");
    const elapsed = performance.now() - started;
    expect(await client.command("QUIT"), 221, "QUIT");
    return elapsed;
  } finally {
    client.close();
  }
}

/** Runs `sessions` sessions from `concurrency` clients; any unexpected reply throws. */
export async function runLatencyLoad(
  port: number,
  load: { sessions: number; concurrency: number },
): Promise<{ latenciesMs: number[]; sessionsPerSecond: number }> {
  const latenciesMs: number[] = [];
  let started = 0;
  const client = async () => {
    while (started < load.sessions) {
      started++;
      latenciesMs.push(await timedSession(port));
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: load.concurrency }, client));
  const seconds = (performance.now() - began) / 1000;
  return { latenciesMs, sessionsPerSecond: load.sessions / seconds };
}

async function measureServer(server: BenchServer): Promise<LatencyResult> {
  const { sessions, concurrency, runs, warmUpSessions } = LATENCY_LOAD;
  await runLatencyLoad(server.port, { sessions: warmUpSessions, concurrency });
  const result: LatencyResult = { server: server.name, latenciesMs: [], sessionsPerSecond: [] };
  for (let run = 0; run < runs; run++) {
    const measured = await runLatencyLoad(server.port, { sessions, concurrency });
    result.latenciesMs.push(...measured.latenciesMs);
    result.sessionsPerSecond.push(measured.sessionsPerSecond);
    const sorted = [...measured.latenciesMs].sort((a, b) => a - b);
    console.log(
      `${server.name}, latency c=${concurrency}, run ${run + 1}: p50 ` +
        `${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms`,
    );
  }
  await server.confirmAccepted(warmUpSessions + runs * sessions);
  return result;
}

/** Tollgate (connection limits raised for 100 clients from one address) and the peers. */
export async function measureLatency(): Promise<LatencyResult[]> {
  await ensureSmtpSource(); // smtp-sink comes with it
  const tollgate = () => startTollgateServer({ env: RAISED_CONNECTION_LIMITS });
  return [
    await withServer(tollgate, measureServer),
    await withServer(() => startSmtpServer(false), measureServer),
    await withServer(() => startSmtpServer(true), measureServer),
    await withServer(startSinkServer, measureServer),
  ];
}

/** The nearest-rank percentile of sorted values (`p` from 0 to 1). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** The `## Latency` section of `docs/benchmarks.md`. */
export function latencySection(results: LatencyResult[]): string {
  const tollgate = results.find((result) => result.server === "Tollgate");
  const p99Of = (result: LatencyResult) =>
    percentile([...result.latenciesMs].sort((a, b) => a - b), 0.99);
  const rows = results.map((result) => {
    const sorted = [...result.latenciesMs].sort((a, b) => a - b);
    const [p50, p99, max] = [percentile(sorted, 0.5), percentile(sorted, 0.99), sorted.at(-1)!];
    const ratio = tollgate && result !== tollgate ? (p99Of(tollgate) / p99).toFixed(2) : "—";
    return `| ${result.server} | ${sorted.length} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${
      (p99 / p50).toFixed(2)
    } | ${max.toFixed(1)} | ${median(result.sessionsPerSecond).toFixed(0)} | ${ratio} |`;
  });
  const { sessions, concurrency, payloadBytes, runs, warmUpSessions } = LATENCY_LOAD;
  return `## Latency at c=${concurrency} (connect to the final 250)

| server | sessions timed | p50 ms | p99 ms | p99 / p50 | max ms | median sessions/s | Tollgate p99 / this p99 |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

${concurrency} clients (\`bench/latency.ts\`, Deno, one process) each loop: connect, greeting,
\`EHLO\`, \`MAIL\`, \`RCPT\`, \`DATA\`, a ${payloadBytes}-byte body, and the clock stops at the
\`250\` for the body (then \`QUIT\`). ${runs} runs of ${sessions} sessions, pooled; ${warmUpSessions}
warm-up sessions not counted. Any other reply aborts the run. Tollgate runs with
\`TOLLGATE_MAX_CONNECTIONS_PER_CLIENT\` raised (the default, 50, would refuse half the clients).
Clients and server share the same cores, so the times include waiting for the CPU.
`;
}

if (import.meta.main) {
  console.log(latencySection(await measureLatency()));
}
