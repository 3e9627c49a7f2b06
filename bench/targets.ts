/**
 * Issue 14's targets against this run's numbers, then issue 7's earlier targets as
 * reference lines: one row per target, the ratio or value measured, and whether it is met.
 * Every value comes from the other sections of `docs/benchmarks.md` in the same run.
 *
 * @module
 */

import type { AuthResult } from "./auth_sessions.ts";
import { cpuRatios, type CpuResult } from "./cpu_per_message.ts";
import { type DeliveryLatencyResult, deliveryP99 } from "./delivery_latency.ts";
import { endToEndRate, type EndToEndResult } from "./relay_end_to_end.ts";
import type { IdleMemoryResult } from "./idle_memory.ts";
import { type LatencyResult, percentile } from "./latency.ts";
import type { PoolResult } from "./outbound_pool.ts";
import { median, type MemoryResult, type ServerName, type ThroughputResult } from "./_report.ts";
import type { TlsResult } from "./tls_sessions.ts";

/** Everything the targets are checked against. */
export interface TargetInputs {
  throughput: ThroughputResult[];
  payload100K: ThroughputResult[];
  auth: AuthResult[];
  tls: TlsResult[];
  idleMemory: IdleMemoryResult[];
  /** Tollgate's memory around one 25 MiB message: after a small warm-up message, then a 1 MiB one. */
  memory: MemoryResult[];
  outboundPool: PoolResult[];
  latency: LatencyResult[];
  endToEnd: EndToEndResult[];
  deliveryLatency: DeliveryLatencyResult[];
  cpu: CpuResult[];
}

const PEER: ServerName = "smtp-server (no greeting delay)";

function rate(results: ThroughputResult[], scenario: string, server: ServerName) {
  const result = results.find((row) => row.scenario === scenario && row.server === server);
  return result && median(result.runs.map((run) => run.messagesPerSecond));
}

function ratioRow(
  target: string,
  values: { tollgate: number | undefined; peer: number | undefined; atLeast: number },
): string {
  const { tollgate, peer, atLeast } = values;
  if (tollgate === undefined || peer === undefined) return `| ${target} | not measured | — |`;
  const ratio = tollgate / peer;
  // Near the bar, a third decimal shows which side of it the ratio fell.
  const shown = ratio.toFixed(Math.abs(ratio - atLeast) < 0.005 ? 3 : 2);
  return `| ${target} | ${shown}× (${tollgate.toFixed(0)} / ${peer.toFixed(0)}) | ${
    ratio >= atLeast ? "yes" : "no"
  } |`;
}

function valueRow(target: string, value: number | undefined, unit: string, atMost: number) {
  if (value === undefined) return `| ${target} | not measured | — |`;
  return `| ${target} | ${value.toFixed(1)} ${unit} | ${value <= atMost ? "yes" : "no"} |`;
}

/** Issue 14's targets: the whole job, end to end against Postfix. */
function currentRows(inputs: TargetInputs): string[] {
  const endToEnd = (sessions: number, atLeast: number) =>
    ratioRow(`end to end, relayed, c=${sessions}, 1 KiB: ≥ ${atLeast.toFixed(1)}× Postfix`, {
      tollgate: endToEndRate(inputs.endToEnd, { target: "smtp", relay: "Tollgate", sessions }),
      peer: endToEndRate(inputs.endToEnd, { target: "smtp", relay: "Postfix", sessions }),
      atLeast,
    });
  const cpu = cpuRatios(inputs.cpu);
  const p99 = deliveryP99(inputs.deliveryLatency, { relay: "Tollgate", ratePerSecond: 500 });
  return [
    endToEnd(20, 1.5),
    endToEnd(5, 1),
    valueRow("p99 delivery latency at 500 msg/s offered: ≤ 1000 ms", p99, "ms", 1000),
    ratioRow("acceptance, queue held, c=20, one per connection: ≥ 1.2× smtp-server", {
      tollgate: rate(inputs.throughput, "one message per connection", "Tollgate"),
      peer: rate(inputs.throughput, "one message per connection", PEER),
      atLeast: 1.2,
    }),
    cpu === undefined
      ? "| CPU per accepted message over the bare Deno floor | not measured | — |"
      : `| CPU per accepted message over the bare Deno floor (reported, no bar) | process ${
        cpu.process.toFixed(1)
      }×, main thread ${cpu.mainThread.toFixed(1)}× | — |`,
  ];
}

/** The targets sections: issue 14's targets, then issue 7's as reference lines. */
export function targetsSection(inputs: TargetInputs): string {
  return `## Issue 14's targets in this run

| target | measured (Tollgate / peer, medians) | met |
| --- | --- | --- |
${currentRows(inputs).join("\n")}

End to end: the sections *End to end* and *Delivery latency* below (Postfix with its own
durable queue); acceptance: the throughput table above (smtp-server without its greeting
delay, discarding); CPU: the section *CPU per accepted message*.

${referenceSection(inputs)}`;
}

/** Issue 7's targets, kept as reference lines: no longer targets. */
function referenceSection(inputs: TargetInputs): string {
  const one = "one message per connection";
  const many = "many per connection (-d)";
  const authRate = (prefix: string) => {
    const result = inputs.auth.find((row) => row.server.startsWith(prefix));
    return result && median(result.runs);
  };
  const tlsRate = (server: string, mode: TlsResult["mode"]) => {
    const result = inputs.tls.find((row) => row.server === server && row.mode === mode);
    return result && median(result.runs);
  };
  const idle = inputs.idleMemory.find((row) => row.server === "Tollgate");
  const rise = (result: MemoryResult | undefined) =>
    result && (result.after.peakKiB - result.before.peakKiB) / 1024;
  const [cold, warm] = inputs.memory;
  const pool = inputs.outboundPool.map((result) =>
    ratioRow(`7. outbound, ${result.shape.connections} connection(s): ≥ 1.5× nodemailer pool`, {
      tollgate: median(result.tollgate),
      peer: median(result.nodemailer),
      atLeast: 1.5,
    })
  );
  const latency = inputs.latency.find((row) => row.server === "Tollgate");
  const sorted = latency && [...latency.latenciesMs].sort((a, b) => a - b);
  const spread = sorted && percentile(sorted, 0.99) / percentile(sorted, 0.5);
  const rows = [
    ratioRow("1. c=20, 1 KiB, one per connection: ≥ 1.5× smtp-server", {
      tollgate: rate(inputs.throughput, one, "Tollgate"),
      peer: rate(inputs.throughput, one, PEER),
      atLeast: 1.5,
    }),
    ratioRow("1. c=20, 1 KiB, one per connection: ≥ 0.75× smtp-sink", {
      tollgate: rate(inputs.throughput, one, "Tollgate"),
      peer: rate(inputs.throughput, one, "Postfix smtp-sink"),
      atLeast: 0.75,
    }),
    ratioRow("2. c=20, 1 KiB, many per connection: ≥ 1.0× smtp-server", {
      tollgate: rate(inputs.throughput, many, "Tollgate"),
      peer: rate(inputs.throughput, many, PEER),
      atLeast: 1,
    }),
    ratioRow("3. c=20, 100 KiB, one per connection: ≥ 1.0× smtp-server", {
      tollgate: rate(inputs.payload100K, "100 KiB, one per connection", "Tollgate"),
      peer: rate(inputs.payload100K, "100 KiB, one per connection", PEER),
      atLeast: 1,
    }),
    ratioRow("4. AUTH PLAIN, cache warm: ≥ 1.0× smtp-server (constant-time compare)", {
      tollgate: authRate("Tollgate, cache on"),
      peer: authRate(PEER),
      atLeast: 1,
    }),
    ...(["starttls", "implicit"] as const).map((mode) =>
      ratioRow(`5. ${mode} TLS sessions: ≥ 1.0× smtp-server`, {
        tollgate: tlsRate("Tollgate", mode),
        peer: tlsRate(PEER, mode),
        atLeast: 1,
      })
    ),
    valueRow(
      "6. resident memory per idle connection (at 1,000): ≤ 16 KiB",
      idle && (idle.afterKiB - idle.beforeKiB) / idle.connections,
      "KiB",
      16,
    ),
    valueRow(
      `6. peak resident memory rise for one 25 MiB message: ≤ 8 MiB (after a 1 MiB message; ` +
        `as the process's first large message: ${rise(cold)?.toFixed(1)} MiB)`,
      rise(warm),
      "MiB",
      8,
    ),
    ...pool,
    valueRow("8. latency at c=100: p99 ≤ 2× p50", spread, "× (p99 / p50)", 2),
  ];
  return `### Issue 7's earlier targets, for reference (replaced by issue 14's)

| earlier target | measured (Tollgate / peer, medians) | met |
| --- | --- | --- |
${rows.join("\n")}

Ratios are medians of this run's sections below; *smtp-server* is the one without its
100 ms greeting delay. Tollgate keeps every message durably, the peers discard them.
`;
}
