/**
 * Several nodes: end-to-end relay throughput (c=20) and delivery latency (paced) of
 * Tollgate on its embedded KV store, on PostgreSQL as one node, as two nodes sharing one
 * PostgreSQL, and of a private Postfix with its durable queue, with the PostgreSQL WAL
 * written per message. The runs reuse the end-to-end and delivery-latency benchmarks'
 * (`timeEndToEndRun`, `timeDeliveryRun`); a relay of two nodes gets its load split over
 * both (two `smtp-source` of c=10; the paced sender's connections alternate between them).
 *
 * Standalone: `deno run -A bench/cluster.ts` (as root, for Postfix and PostgreSQL) prints
 * the section; `bench/run.ts` adds it to `docs/benchmarks.md`.
 *
 * @module
 */

import { type RunningPostgres, startPostgres } from "../tests/_postgres.ts";
import { startSmtpSink } from "../tests/_smtp_sink.ts";
import { postfixVersion, startPostfix } from "./_postfix.ts";
import { withRelays } from "./_relay_pair.ts";
import {
  type LogCounts,
  type Relay,
  RELAY_RECIPIENT,
  type RelayTarget,
  startTollgateRelay,
} from "./_relays.ts";
import { median } from "./_report.ts";
import { BENCH_USER } from "./_servers.ts";
import { ensureSmtpSource, type SourceLoad } from "./_smtp_source.ts";
import { timeDeliveryRun, withTimedSink } from "./delivery_latency.ts";
import { percentile } from "./latency.ts";
import { type EndToEndRun, timeEndToEndRun } from "./relay_end_to_end.ts";

/** The loads: runs per setup, message size, throughput and latency shapes. */
export const CLUSTER_LOAD = {
  runs: 3,
  payloadBytes: 1024,
  warmUpMessages: 200,
  throughput: { sessions: 20, messages: 1500 },
  latency: { ratePerSecond: 400, messages: 1000 },
};

/** The setups compared, in table order. */
const SETUPS = [
  { key: "kv", label: "Tollgate on KV", postgres: false, nodes: 1 },
  { key: "pg1", label: "Tollgate on PostgreSQL, 1 node", postgres: true, nodes: 1 },
  { key: "pg2", label: "Tollgate, 2 nodes on one PostgreSQL", postgres: true, nodes: 2 },
  { key: "postfix", label: "Postfix, durable queue", postgres: false, nodes: 1 },
] as const;
type Setup = (typeof SETUPS)[number];

/** Everything measured for one setup. */
export interface ClusterResult {
  label: string;
  postgres: boolean;
  /** The c=20 end-to-end runs. */
  throughput: EndToEndRun[];
  /** PostgreSQL WAL bytes written during each end-to-end run (PostgreSQL setups only). */
  throughputWalBytes: number[];
  /** Every delivery latency at the paced rate, pooled over the runs. */
  latenciesMs: number[];
  /** Each paced run's achieved acceptance rate, msg/s. */
  acceptedPerSecond: number[];
  /** PostgreSQL WAL bytes written during each paced run (PostgreSQL setups only). */
  latencyWalBytes: number[];
  /** Paced messages that arrived more than once. */
  repeated: number;
}

/** All setups' results, and the PostgreSQL version they ran on. */
export interface ClusterResults {
  results: ClusterResult[];
  postgresVersion: string;
  postgresSettings: string;
}

/** Starts one setup's relay for `target`; each phase gets its own PostgreSQL schema. */
function starter(setup: Setup, target: RelayTarget, pg: RunningPostgres, phase: string) {
  return async (): Promise<Relay> => {
    if (setup.key === "postfix") return { ...await startPostfix(target), setup: setup.label };
    const env: Record<string, string> = {
      ...(setup.postgres
        ? { TOLLGATE_STORE: pg.url, TOLLGATE_STORE_SCHEMA: `bench_${phase}_${setup.key}` }
        : {}),
    };
    return await startTollgateRelay(target, { env, nodes: setup.nodes, setup: setup.label });
  };
}

/** Runs `work` and returns its result with the WAL bytes PostgreSQL wrote meanwhile. */
async function withWal<T>(pg: RunningPostgres, work: () => Promise<T>): Promise<[T, number]> {
  const before = (await pg.psql("SELECT pg_current_wal_lsn()")).trim();
  const result = await work();
  const bytes = await pg.psql(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '${before}')`);
  return [result, Number(bytes.trim())];
}

/** Runs `work`, adding the WAL it caused to `into` when the setup is on PostgreSQL. */
async function measured<T>(
  setup: Setup,
  pg: RunningPostgres,
  into: number[],
  work: () => Promise<T>,
): Promise<T> {
  if (!setup.postgres) return await work();
  const [result, bytes] = await withWal(pg, work);
  into.push(bytes);
  return result;
}

function emptyResult(setup: Setup): ClusterResult {
  return {
    label: setup.label,
    postgres: setup.postgres,
    throughput: [],
    throughputWalBytes: [],
    latenciesMs: [],
    acceptedPerSecond: [],
    latencyWalBytes: [],
    repeated: 0,
  };
}

/** c=20 end to end through every setup to one smtp-sink, the runs interleaved. */
async function measureThroughput(pg: RunningPostgres, results: ClusterResult[]): Promise<void> {
  const sink = await startSmtpSink();
  try {
    const target: RelayTarget = { kind: "smtp", port: sink.port };
    const arrivals = async () => (await sink.counters(() => true)).messages;
    await withRelays(SETUPS.map((setup) => starter(setup, target, pg, "e2e")), async (relays) => {
      const loadOf = (messages: number): SourceLoad => ({
        messages,
        sessions: CLUSTER_LOAD.throughput.sessions,
        payloadBytes: CLUSTER_LOAD.payloadBytes,
        reuseConnections: false,
        sender: BENCH_USER.address,
        recipient: RELAY_RECIPIENT,
      });
      for (const relay of relays) {
        await timeEndToEndRun(relay, arrivals, loadOf(CLUSTER_LOAD.warmUpMessages));
      }
      for (let run = 0; run < CLUSTER_LOAD.runs; run++) {
        for (const [index, relay] of relays.entries()) {
          const setup = SETUPS[index];
          const result = results[index];
          const timed = await measured(
            setup,
            pg,
            result.throughputWalBytes,
            () => timeEndToEndRun(relay, arrivals, loadOf(CLUSTER_LOAD.throughput.messages)),
          );
          result.throughput.push(timed);
          const wal = setup.postgres
            ? `, WAL ${(result.throughputWalBytes.at(-1)! / timed.messages).toFixed(0)} B/msg`
            : "";
          console.log(
            `cluster, ${setup.label}, c=${CLUSTER_LOAD.throughput.sessions}, run ${run + 1}: ` +
              `${(timed.messages / timed.seconds).toFixed(0)} msg/s end to end (accepted in ` +
              `${timed.acceptedSeconds.toFixed(2)} s, done after ${timed.seconds.toFixed(2)} s)` +
              `${wal}, log ${JSON.stringify(timed.log)}`,
          );
        }
      }
    });
  } finally {
    await sink.stop();
  }
}

/** Paced delivery latency through every setup to one timed sink, the runs interleaved. */
async function measureLatency(pg: RunningPostgres, results: ClusterResult[]): Promise<void> {
  const { ratePerSecond, messages } = CLUSTER_LOAD.latency;
  await withTimedSink((port, log) =>
    withRelays(
      SETUPS.map((setup) => starter(setup, { kind: "smtp", port }, pg, "latency")),
      async (relays) => {
        for (const [index, relay] of relays.entries()) {
          const idPrefix = `${SETUPS[index].key}-warm-`;
          await timeDeliveryRun(relay, log, { messages: CLUSTER_LOAD.warmUpMessages, idPrefix });
        }
        for (let run = 0; run < CLUSTER_LOAD.runs; run++) {
          for (const [index, relay] of relays.entries()) {
            const setup = SETUPS[index];
            const result = results[index];
            const idPrefix = `${setup.key}-${run}-`;
            const timed = await measured(
              setup,
              pg,
              result.latencyWalBytes,
              () => timeDeliveryRun(relay, log, { ratePerSecond, messages, idPrefix }),
            );
            result.latenciesMs.push(...timed.latenciesMs);
            result.acceptedPerSecond.push(timed.acceptedPerSecond);
            const sorted = [...timed.latenciesMs].sort((a, b) => a - b);
            console.log(
              `cluster, ${setup.label}, ${ratePerSecond} msg/s offered, run ${run + 1}: p50 ` +
                `${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${
                  percentile(sorted, 0.99).toFixed(1)
                } ms, accepted ${timed.acceptedPerSecond.toFixed(0)} msg/s`,
            );
          }
        }
        for (const [index, setup] of SETUPS.entries()) {
          results[index].repeated = log.repeated.filter((id) => id.startsWith(`${setup.key}-`))
            .length;
        }
      },
    )
  );
}

/**
 * Starts a private PostgreSQL, then measures every setup: end to end at c=20 to
 * Postfix's smtp-sink, then delivery latency at a paced rate to a timed sink.
 *
 * @example
 * ```ts ignore
 * import { clusterSection, measureCluster } from "./cluster.ts";
 * console.log(clusterSection(await measureCluster()));
 * ```
 */
export async function measureCluster(): Promise<ClusterResults> {
  await ensureSmtpSource();
  const pg = await startPostgres();
  try {
    const postgresVersion = (await pg.psql("SHOW server_version")).trim();
    const postgresSettings = (await pg.psql(
      "SELECT string_agg(name || ' = ' || setting, ', ' ORDER BY name) FROM pg_settings " +
        "WHERE name IN ('synchronous_commit', 'fsync', 'full_page_writes', 'wal_level', " +
        "'checkpoint_timeout', 'max_wal_size', 'data_checksums')",
    )).trim();
    const results = SETUPS.map(emptyResult);
    await measureThroughput(pg, results);
    await measureLatency(pg, results);
    return { results, postgresVersion, postgresSettings };
  } finally {
    await pg.stop();
  }
}

const rate = (run: EndToEndRun) => run.messages / run.seconds;
const acceptRate = (run: EndToEndRun) => run.messages / run.acceptedSeconds;

function walPerMessage(bytes: number[], messages: number): string {
  if (bytes.length === 0) return "—";
  const perMessage = bytes.map((value) => value / messages);
  return `${median(perMessage).toFixed(0)} (${Math.min(...perMessage).toFixed(0)}–${
    Math.max(...perMessage).toFixed(0)
  })`;
}

function row(result: ClusterResult): string {
  const rates = result.throughput.map(rate);
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const sum = (key: keyof LogCounts) =>
    result.throughput.reduce((total, run) => total + run.log[key], 0);
  const extra = result.throughput.reduce((total, run) => total + run.extra, 0);
  return `| ${result.label} | ${median(rates).toFixed(0)} | ${Math.min(...rates).toFixed(0)}–${
    Math.max(...rates).toFixed(0)
  } | ${median(result.throughput.map(acceptRate)).toFixed(0)} | ${
    percentile(sorted, 0.5).toFixed(1)
  } | ${percentile(sorted, 0.99).toFixed(1)} | ${median(result.acceptedPerSecond).toFixed(0)} | ${
    walPerMessage(result.throughputWalBytes, CLUSTER_LOAD.throughput.messages)
  } | ${walPerMessage(result.latencyWalBytes, CLUSTER_LOAD.latency.messages)} | ${
    sum("deferred")
  } / ${sum("troubled")} / ${extra + result.repeated} |`;
}

/** The `## Several nodes` section of `docs/benchmarks.md`. */
export function clusterSection(measured: ClusterResults): string {
  const { runs, payloadBytes, warmUpMessages, throughput, latency } = CLUSTER_LOAD;
  return `## Several nodes: KV, PostgreSQL, two nodes on one PostgreSQL, and Postfix (${runs} runs each)

| relay | median msg/s end to end (c=${throughput.sessions}) | min–max | median msg/s accepted | p50 ms at ${latency.ratePerSecond} msg/s | p99 ms at ${latency.ratePerSecond} msg/s | median msg/s accepted, paced | WAL bytes per message, end to end: median (min–max) | WAL bytes per message, paced | deferred / other trouble / duplicates |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${measured.results.map(row).join("\n")}

How it was measured (\`bench/cluster.ts\`):
- *End to end* as in the end-to-end section (\`timeEndToEndRun\`): \`smtp-source -s ${throughput.sessions}
  -l ${payloadBytes}\` (one message per connection) sends ${throughput.messages} messages a
  run to \`${RELAY_RECIPIENT}\`, relayed to one Postfix \`smtp-sink\`; the clock runs from
  the first connect until every message has arrived and the relay's queue is empty. For
  two nodes, two \`smtp-source\` of c=${throughput.sessions / 2} run at once, one per node, ${
    throughput.messages / 2
  } messages each, and the queue is
  empty when both nodes' \`GET /api/queue?limit=1\` list nothing (one shared queue).
- *Latency* as in the delivery latency section (\`timeDeliveryRun\`): the paced sender
  offers ${latency.ratePerSecond} msg/s, ${latency.messages} messages a run over 10
  connections that keep their session (for two nodes, 5 to each), to the timed sink;
  latency is from the client's \`250\` to the arrival at the sink, pooled over the runs.
  A setup that accepts more slowly than offered (see the paced acceptance column) slows
  the sender down: its latencies are those at the rate it accepted, and the wait before
  the \`250\` is not in them.
- Tollgate: \`deno task start\` with \`TOLLGATE_DELIVERY=on\`, its default connection
  limits, the trusted network
  \`127.0.0.0/8\` and a route \`*\` to the sink, configured through the first node's admin
  API; a second node starts after that and reads it from the store. *KV*: the embedded
  Deno KV under \`TOLLGATE_DATA\`. *PostgreSQL*: \`TOLLGATE_STORE=postgres://…\` to a private
  PostgreSQL ${measured.postgresVersion} (Debian's package, \`initdb\` into a temporary
  folder on the same disk, started by the benchmark; ${measured.postgresSettings}), the
  default pool of 10 connections per node, a schema of its own per setup and phase.
  Postfix ${postfixVersion()}: the private instance of the end-to-end section.
- *WAL bytes per message*: \`SELECT pg_current_wal_lsn()\` before a run,
  \`pg_wal_lsn_diff(pg_current_wal_lsn(), before)\` after it, divided by the messages of
  the run. It covers the whole life of a message (accepted, leased, delivered, deleted)
  plus whatever else the server wrote meanwhile (the idle setups' polling reads, and full
  page images after a checkpoint); the other setups do not run during a PostgreSQL run.
- All four setups run side by side, their runs alternating (KV, PostgreSQL 1 node,
  2 nodes, Postfix, KV, ...), after one warm-up of ${warmUpMessages} messages each. The
  last column adds up the deferrals and other trouble in the relays' logs (all nodes') over
  the end-to-end runs, and the messages that arrived more than once in either part.
- Alone: \`deno run -A bench/cluster.ts\` (as root; about two minutes).

What two cores can and cannot show. Everything here (load generators, every Tollgate
node, PostgreSQL, Postfix and the sinks) shares one machine with two cores over loopback.
Two nodes on it do not add a core: they split the same two cores with each other and with
PostgreSQL, so their row is no measurement of scaling out, and a number close to one
node's (or below it) says nothing about what two machines would do. What the rows do show
is that the shared queue is correct under load (every message arrives, none twice, the
queue empties on both nodes; the last column counts any failure) and what a message costs
on each store: on PostgreSQL, round trips to another process and the WAL above, on the
same two cores, where KV writes to a local SQLite file in-process. Whether two nodes deliver twice what one does can only be
measured with each node, PostgreSQL and the load on machines of their own.
`;
}

if (import.meta.main) {
  console.log(clusterSection(await measureCluster()));
}
