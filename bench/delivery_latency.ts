/**
 * Delivery latency: how long a message waits in a relay, from the `250` its client got
 * to its arrival at the next hop, at an offered load of 500 msg/s and at full speed, for
 * Tollgate and a private Postfix (`bench/_postfix.ts`) relaying to the same timed sink
 * (nodemailer's smtp-server on Node.js noting each message's arrival). p50, p99 and max.
 *
 * Standalone with the end-to-end section: `deno run -A bench/relay_end_to_end.ts`.
 *
 * @module
 */

import { ArrivalLog } from "./_arrival_log.ts";
import { sendPaced } from "./_paced_sender.ts";
import { startPeer } from "./_peer.ts";
import { pollUntil } from "./_poll.ts";
import { postfixVersion } from "./_postfix.ts";
import { withRelayPair } from "./_relay_pair.ts";
import { type Relay, RELAY_RECIPIENT } from "./_relays.ts";
import { median } from "./_report.ts";
import { BENCH_USER } from "./_servers.ts";
import { percentile } from "./latency.ts";

/** The loads: messages per run over how many connections, runs, warm-up messages. */
export const DELIVERY_LATENCY_LOAD = {
  messages: 1000,
  connections: 10,
  payloadBytes: 1024,
  runs: 3,
  warmUpMessages: 200,
  rates: [500, undefined] as (number | undefined)[],
};
const DRAIN_TIMEOUT_MS = 90_000;
const POLL_MS = 10;

/** Every delivery latency of one relay at one offered rate, pooled over the runs. */
export interface DeliveryLatencyResult {
  relay: Relay["name"];
  /** Offered messages per second; undefined for full speed. */
  ratePerSecond?: number;
  latenciesMs: number[];
  /** Each run's achieved acceptance rate, msg/s. */
  acceptedPerSecond: number[];
  /** Messages that arrived more than once. */
  repeated: number;
}

/**
 * One run: sends (the connections spread over the relay's nodes when it has several), waits
 * until every message arrived and the queue is empty, pairs the times.
 *
 * @example
 * ```ts ignore
 * import { timeDeliveryRun } from "./delivery_latency.ts";
 * const run = await timeDeliveryRun(relay, log, { ratePerSecond: 400, messages: 1000, idPrefix: "a-" });
 * console.log(run.latenciesMs.length); // 1000
 * ```
 */
export async function timeDeliveryRun(
  relay: Relay,
  log: ArrivalLog,
  load: { ratePerSecond?: number; messages: number; idPrefix: string },
): Promise<{ latenciesMs: number[]; acceptedPerSecond: number }> {
  const sent = await sendPaced({
    ...load,
    port: relay.port,
    ...(relay.ports ? { ports: relay.ports } : {}),
    connections: DELIVERY_LATENCY_LOAD.connections,
    payloadBytes: DELIVERY_LATENCY_LOAD.payloadBytes,
    from: BENCH_USER.address,
    to: RELAY_RECIPIENT,
  });
  const missing = () => [...sent.acceptedAt.keys()].filter((id) => !log.arrivedAt.has(id)).length;
  await pollUntil(async () => {
    await log.refresh();
    return missing() === 0 && await relay.queueEmpty();
  }, {
    timeoutMs: DRAIN_TIMEOUT_MS,
    intervalMs: POLL_MS,
    what: `${relay.name} to deliver ${load.messages} paced messages`,
    describe: () => `${missing()} not arrived`,
  });
  const latenciesMs = [...sent.acceptedAt].map(([id, at]) => log.arrivedAt.get(id)! - at);
  return { latenciesMs, acceptedPerSecond: load.messages / sent.seconds };
}

/**
 * Runs `work` with the timed sink (smtp-server noting each arrival in a file) and the log
 * that reads those arrivals; the sink and its folder are removed after.
 *
 * @example
 * ```ts ignore
 * import { withTimedSink } from "./delivery_latency.ts";
 * await withTimedSink(async (port, log) => {
 *   await log.refresh();
 *   console.log(port, log.arrivedAt.size); // 0 arrivals so far
 * });
 * ```
 */
export async function withTimedSink<T>(
  work: (port: number, log: ArrivalLog) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-bench-latency-" });
  const arrivals = `${dir}/arrivals`;
  await Deno.writeTextFile(arrivals, "");
  const sink = await startPeer({ greetingDelay: false, arrivals });
  try {
    return await work(sink.port, new ArrivalLog(arrivals));
  } finally {
    await sink.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Both relays to one timed sink; the rates and runs interleaved. */
export async function measureDeliveryLatency(): Promise<DeliveryLatencyResult[]> {
  return await withTimedSink((port, log) =>
    withRelayPair({ kind: "smtp", port }, (relays) => measureRelays(relays, log))
  );
}

/** Every rate and run against both relays, interleaved, after a warm-up each. */
async function measureRelays(relays: Relay[], log: ArrivalLog): Promise<DeliveryLatencyResult[]> {
  const { messages, runs, warmUpMessages, rates } = DELIVERY_LATENCY_LOAD;
  for (const relay of relays) {
    await timeDeliveryRun(relay, log, {
      messages: warmUpMessages,
      idPrefix: `${relay.name}-warm-`,
    });
  }
  const results: DeliveryLatencyResult[] = rates.flatMap((ratePerSecond) =>
    relays.map((relay) => ({
      relay: relay.name,
      ...(ratePerSecond === undefined ? {} : { ratePerSecond }),
      latenciesMs: [],
      acceptedPerSecond: [],
      repeated: 0,
    }))
  );
  for (let run = 0; run < runs; run++) {
    for (const ratePerSecond of rates) {
      for (const relay of relays) {
        const idPrefix = `${relay.name}-${ratePerSecond ?? "full"}-${run}-`;
        const measured = await timeDeliveryRun(relay, log, { ratePerSecond, messages, idPrefix });
        const result = results.find((row) =>
          row.relay === relay.name && row.ratePerSecond === ratePerSecond
        )!;
        result.latenciesMs.push(...measured.latenciesMs);
        result.acceptedPerSecond.push(measured.acceptedPerSecond);
        const sorted = [...measured.latenciesMs].sort((a, b) => a - b);
        console.log(
          `delivery latency, ${relay.name}, ${describeRate(ratePerSecond)}, run ${run + 1}: ` +
            `p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${
              percentile(sorted, 0.99).toFixed(1)
            } ms, max ${sorted.at(-1)!.toFixed(1)} ms, accepted ` +
            `${measured.acceptedPerSecond.toFixed(0)} msg/s`,
        );
      }
    }
  }
  for (const result of results) {
    result.repeated = log.repeated.filter((id) => id.startsWith(`${result.relay}-`)).length;
  }
  return results;
}

function describeRate(ratePerSecond: number | undefined): string {
  return ratePerSecond === undefined ? "full speed" : `${ratePerSecond} msg/s offered`;
}

/** The p99 delivery latency of one relay at one offered rate, in ms, when measured. */
export function deliveryP99(
  results: DeliveryLatencyResult[],
  query: { relay: Relay["name"]; ratePerSecond?: number },
): number | undefined {
  const result = results.find((row) =>
    row.relay === query.relay && row.ratePerSecond === query.ratePerSecond
  );
  return result && percentile([...result.latenciesMs].sort((a, b) => a - b), 0.99);
}

/** The `## Delivery latency` section of `docs/benchmarks.md`. */
export function deliveryLatencySection(results: DeliveryLatencyResult[]): string {
  const rows = results.map((result) => {
    const sorted = [...result.latenciesMs].sort((a, b) => a - b);
    const [p50, p99, max] = [percentile(sorted, 0.5), percentile(sorted, 0.99), sorted.at(-1)!];
    return `| ${describeRate(result.ratePerSecond)} | ${result.relay} | ${sorted.length} | ${
      p50.toFixed(1)
    } | ${p99.toFixed(1)} | ${max.toFixed(1)} | ${
      median(result.acceptedPerSecond).toFixed(0)
    } | ${result.repeated} |`;
  });
  const { messages, connections, payloadBytes, runs, warmUpMessages } = DELIVERY_LATENCY_LOAD;
  return `## Delivery latency: from the client's 250 to the next hop (${runs} runs each)

| offered load | relay | messages timed | p50 ms | p99 ms | max ms | median msg/s accepted | arrived twice |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

How it was measured (\`bench/delivery_latency.ts\`):
- A paced sender in Deno (\`bench/_paced_sender.ts\`, raw sockets, ${connections} connections
  that keep their session and send message after message) sends ${messages} messages of
  ${payloadBytes} bytes a run, each with a unique \`X-Bench-Id\` header; message *i* is due
  *i*/rate seconds after the start (a connection that falls behind sends at once). It notes
  the wall-clock time of each message's \`250\`.
- Both relays (set up as in the end-to-end section, Postfix ${postfixVersion()}) relay to
  one timed sink: nodemailer's smtp-server on Node.js in its own process
  (\`bench/smtp_server_peer.mjs --no-greeting-delay --arrivals <file>\`), which appends
  \`<id> <epoch ms>\` when a message's body has ended, just before its \`250\`. smtp-sink
  cannot report times, and a Python aiosmtpd sink is slower than smtp-server; a sink in
  the bench process would share its event loop with the sender. Both clocks are
  \`performance.timeOrigin + performance.now()\` on the same machine.
- A run ends when every message has arrived and the relay's queue is empty. Latencies
  are pooled over the runs; the rates and relays alternate, after one warm-up of
  ${warmUpMessages} messages each. *Full speed* offers as fast as the relay answers, so
  its latencies include the queue that builds up when acceptance outruns delivery.
`;
}
