/**
 * How cost grows: throughput and peak resident memory against concurrency (1, 20, 100,
 * 500 `smtp-source` sessions) and message size (1 KiB, 100 KiB, 10 MiB), one message per
 * connection, for Tollgate and nodemailer's smtp-server (no greeting delay). Each cell
 * gets a fresh server and one bounded run; bigger messages get fewer of them.
 *
 * Standalone: `deno run -A bench/growth.ts`; `bench/run.ts` adds its section to
 * `docs/benchmarks.md`.
 *
 * @module
 */

import { readMemoryCounters, resetPeakMemory } from "./_proc_status.ts";
import type { ServerName } from "./_report.ts";
import {
  BENCH_USER,
  type BenchServer,
  RAISED_CONNECTION_LIMITS,
  startSmtpServer,
  startTollgateServer,
  withServer,
} from "./_servers.ts";
import { ensureSmtpSource, runSmtpSource, type SourceLoad } from "./_smtp_source.ts";

const KIB = 1024;
const MIB = 1024 * KIB;

/** The concurrencies measured, in column order. */
export const CONCURRENCIES = [1, 20, 100, 500] as const;

/** Messages per cell by size and concurrency; a missing count is a cell not measured. */
export const GROWTH_GRID: {
  label: string;
  payloadBytes: number;
  messages: Partial<Record<typeof CONCURRENCIES[number], number>>;
}[] = [
  { label: "1 KiB", payloadBytes: KIB, messages: { 1: 200, 20: 1000, 100: 1000, 500: 1000 } },
  { label: "100 KiB", payloadBytes: 100 * KIB, messages: { 1: 100, 20: 300, 100: 500, 500: 1000 } },
  // c=500 would need 500 messages in flight: 5 GiB through the spool, minutes of disk.
  { label: "10 MiB", payloadBytes: 10 * MIB, messages: { 1: 4, 20: 20, 100: 100 } },
];
const WARM_UP = { messages: 20, sessions: 5, payloadBytes: KIB };

/** One server in one cell. */
export interface GrowthCell {
  server: ServerName;
  size: string;
  concurrency: number;
  messages: number;
  messagesPerSecond: number;
  /** VmRSS when the run started (after the warm-up), KiB. */
  startKiB: number;
  /** VmHWM during the run, KiB. */
  peakKiB: number;
}

function sourceLoad(load: Omit<SourceLoad, "sender" | "recipient" | "reuseConnections">) {
  return {
    ...load,
    reuseConnections: false,
    sender: BENCH_USER.address,
    recipient: BENCH_USER.address,
  };
}

async function measureCell(
  server: BenchServer,
  cell: { size: string; payloadBytes: number; concurrency: number; messages: number },
): Promise<GrowthCell> {
  if (server.pid === undefined) throw new TypeError(`Cannot read ${server.name}'s memory: no pid`);
  await runSmtpSource(server.port, sourceLoad(WARM_UP));
  await resetPeakMemory(server.pid);
  const before = await readMemoryCounters(server.pid);
  const run = await runSmtpSource(
    server.port,
    sourceLoad({
      messages: cell.messages,
      sessions: cell.concurrency,
      payloadBytes: cell.payloadBytes,
    }),
  );
  const after = await readMemoryCounters(server.pid);
  await server.confirmAccepted(WARM_UP.messages + cell.messages);
  const result = {
    server: server.name,
    size: cell.size,
    concurrency: cell.concurrency,
    messages: cell.messages,
    messagesPerSecond: run.messagesPerSecond,
    startKiB: before.currentKiB,
    peakKiB: after.peakKiB,
  };
  console.log(
    `${server.name}, ${cell.size} at c=${cell.concurrency}: ${run.messagesPerSecond.toFixed(1)} ` +
      `msg/s, peak ${(after.peakKiB / KIB).toFixed(0)} MiB`,
  );
  return result;
}

/** Every cell of the grid, for Tollgate and for smtp-server, each cell on a fresh server. */
export async function measureGrowth(): Promise<GrowthCell[]> {
  await ensureSmtpSource();
  const starters = [
    () => startTollgateServer({ env: RAISED_CONNECTION_LIMITS }),
    () => startSmtpServer(false),
  ];
  const cells: GrowthCell[] = [];
  for (const row of GROWTH_GRID) {
    for (const concurrency of CONCURRENCIES) {
      const messages = row.messages[concurrency];
      if (messages === undefined) continue;
      const cell = { size: row.label, payloadBytes: row.payloadBytes, concurrency, messages };
      for (const start of starters) {
        cells.push(await withServer(start, (server) => measureCell(server, cell)));
      }
    }
  }
  return cells;
}

/** The `## How cost grows` section of `docs/benchmarks.md`. */
export function growthSection(cells: GrowthCell[]): string {
  const mib = (kib: number) => (kib / KIB).toFixed(0);
  const memory = (cell: GrowthCell | undefined) =>
    cell ? `${mib(cell.peakKiB)} (+${mib(cell.peakKiB - cell.startKiB)})` : "—";
  const rate = (cell: GrowthCell | undefined) => cell ? cell.messagesPerSecond.toFixed(1) : "—";
  const rows: string[] = [];
  for (const row of GROWTH_GRID) {
    for (const concurrency of CONCURRENCIES) {
      const find = (server: ServerName) =>
        cells.find((cell) =>
          cell.server === server && cell.size === row.label && cell.concurrency === concurrency
        );
      const tollgate = find("Tollgate");
      const peer = find("smtp-server (no greeting delay)");
      const messages = row.messages[concurrency];
      const ratio = tollgate && peer
        ? (tollgate.messagesPerSecond / peer.messagesPerSecond).toFixed(2)
        : "—";
      rows.push(
        `| ${row.label} | ${concurrency} | ${messages ?? "not run"} | ${rate(tollgate)} | ${
          rate(peer)
        } | ${ratio} | ${memory(tollgate)} | ${memory(peer)} |`,
      );
    }
  }
  return `## How cost grows: concurrency and message size

| size | sessions at once | messages | Tollgate msg/s | smtp-server msg/s | Tollgate / smtp-server | Tollgate peak RSS MiB (rise) | smtp-server peak RSS MiB (rise) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

One \`smtp-source -s <sessions> -m <messages> -l <size>\` run per cell, one message per
connection, each cell on a freshly started server that first took ${WARM_UP.messages} small
messages (warm-up, not counted); smtp-server runs without its greeting delay and discards.
*peak RSS* is \`VmHWM\` during the run (reset with \`clear_refs\` just before it); *rise* is that
peak minus \`VmRSS\` when the run began. Counts shrink as sizes grow to keep the whole bench
within minutes; 10 MiB at 500 sessions is not run (it would push 5 GiB through the spool). One
run per cell: read the trends, not the third digit.
`;
}

if (import.meta.main) {
  console.log(growthSection(await measureGrowth()));
}
