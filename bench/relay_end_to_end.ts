/**
 * End to end: the rate at which mail *leaves* a relay. `smtp-source` sends to Tollgate
 * and to a private Postfix with its own durable queue (`bench/_postfix.ts`), both relaying
 * to the same Postfix `smtp-sink`, or both delivering into a local Maildir; each run is
 * timed from the first connect until every message has arrived and the relay's queue is
 * empty again. Runs are interleaved (Tollgate, Postfix, Tollgate, ...).
 *
 * Standalone (with the delivery latency section): `deno run -A bench/relay_end_to_end.ts`;
 * `bench/run.ts` adds the sections to `docs/benchmarks.md`.
 *
 * @module
 */

import { startSmtpSink } from "../tests/_smtp_sink.ts";
import { pollUntil } from "./_poll.ts";
import { postfixVersion } from "./_postfix.ts";
import { withRelayPair } from "./_relay_pair.ts";
import {
  type LogCounts,
  MAILDIR_RECIPIENT,
  type Relay,
  RELAY_RECIPIENT,
  type RelayTarget,
} from "./_relays.ts";
import { median } from "./_report.ts";
import { ensureSmtpSource, runSmtpSourceSpread, type SourceLoad } from "./_smtp_source.ts";
import { BENCH_USER } from "./_servers.ts";
import { deliveryLatencySection, measureDeliveryLatency } from "./delivery_latency.ts";

/** The loads: runs per relay, message size, and per concurrency how many messages a run. */
export const END_TO_END_LOAD = {
  runs: 3,
  payloadBytes: 1024,
  warmUpMessages: 200,
  shapes: [
    { sessions: 1, messages: 400 },
    { sessions: 5, messages: 1000 },
    { sessions: 20, messages: 2000 },
  ],
};
/** How long `smtp-source` may take, and then the arrivals and the queue, in one run. */
const SOURCE_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 90_000;
const POLL_MS = 10;

/** One timed run. */
export interface EndToEndRun {
  messages: number;
  /** From the first connect until `smtp-source` got its last reply. */
  acceptedSeconds: number;
  /** From the first connect until all messages arrived and the queue was empty. */
  seconds: number;
  /** Messages that arrived beyond those sent (duplicates). */
  extra: number;
  /** What the relay logged during the run. */
  log: LogCounts;
}

/** Every run of one relay at one concurrency. */
export interface EndToEndResult {
  target: RelayTarget["kind"];
  relay: Relay["name"];
  sessions: number;
  runs: EndToEndRun[];
}

/** Counts what arrived at the far end: the sink's messages, or the files in `new/`. */
export type Arrivals = (relay: Relay) => Promise<number>;

async function filesIn(folder: string): Promise<number> {
  let count = 0;
  try {
    for await (const _ of Deno.readDir(folder)) count++;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return count;
}

function difference(after: LogCounts, before: LogCounts): LogCounts {
  return {
    delivered: after.delivered - before.delivered,
    deferred: after.deferred - before.deferred,
    troubled: after.troubled - before.troubled,
  };
}

/**
 * One run: `smtp-source` (one per node, the load split, when the relay has several), then
 * waits until all arrived and the relay's queue is empty.
 *
 * @example
 * ```ts ignore
 * import { timeEndToEndRun } from "./relay_end_to_end.ts";
 * const run = await timeEndToEndRun(relay, countArrivals, load);
 * console.log(run.messages / run.seconds); // msg/s end to end
 * ```
 */
export async function timeEndToEndRun(
  relay: Relay,
  arrivals: Arrivals,
  load: SourceLoad,
): Promise<EndToEndRun> {
  const before = await arrivals(relay);
  const logBefore = relay.logCounts();
  const started = performance.now();
  await runSmtpSourceSpread(relay.ports ?? [relay.port], load, SOURCE_TIMEOUT_MS);
  const acceptedSeconds = (performance.now() - started) / 1000;
  const arrived = async () => await arrivals(relay) - before;
  await pollUntil(async () => await arrived() >= load.messages && await relay.queueEmpty(), {
    timeoutMs: DRAIN_TIMEOUT_MS,
    intervalMs: POLL_MS,
    what: `${relay.name} to deliver ${load.messages} messages and empty its queue`,
    describe: async () =>
      `${await arrived()} arrived, queue ${await relay.queueEmpty() ? "" : "not "}empty, ` +
      `log: ${JSON.stringify(difference(relay.logCounts(), logBefore))}`,
  });
  const seconds = (performance.now() - started) / 1000;
  const extra = await arrived() - load.messages;
  return {
    messages: load.messages,
    acceptedSeconds,
    seconds,
    extra,
    log: difference(relay.logCounts(), logBefore),
  };
}

/**
 * Runs every shape against both relays for one target, interleaved, after a warm-up run
 * each. `after` runs once a run has ended (the Maildir runs empty `new/` there).
 */
async function measureRelays(
  target: RelayTarget,
  arrivals: Arrivals,
  after: (relay: Relay) => Promise<void>,
): Promise<EndToEndResult[]> {
  return await withRelayPair(target, async (relays) => {
    const recipient = target.kind === "smtp" ? RELAY_RECIPIENT : MAILDIR_RECIPIENT;
    const loadOf = (sessions: number, messages: number): SourceLoad => ({
      messages,
      sessions,
      payloadBytes: END_TO_END_LOAD.payloadBytes,
      reuseConnections: false,
      sender: BENCH_USER.address,
      recipient,
    });
    const results: EndToEndResult[] = [];
    for (const relay of relays) {
      await timeEndToEndRun(relay, arrivals, loadOf(20, END_TO_END_LOAD.warmUpMessages));
      await after(relay);
    }
    for (const { sessions, messages } of END_TO_END_LOAD.shapes) {
      const runs = new Map(relays.map((relay) => [relay, [] as EndToEndRun[]]));
      for (let run = 0; run < END_TO_END_LOAD.runs; run++) {
        for (const relay of relays) {
          const result = await timeEndToEndRun(relay, arrivals, loadOf(sessions, messages));
          await after(relay);
          runs.get(relay)!.push(result);
          console.log(
            `end to end, ${target.kind}, ${relay.name}, c=${sessions}, run ${run + 1}: ` +
              `${(messages / result.seconds).toFixed(0)} msg/s (accepted in ` +
              `${result.acceptedSeconds.toFixed(2)} s, done after ${result.seconds.toFixed(2)} s)` +
              `, log ${JSON.stringify(result.log)}`,
          );
        }
      }
      for (const relay of relays) {
        results.push({ target: target.kind, relay: relay.name, sessions, runs: runs.get(relay)! });
      }
    }
    return results;
  });
}

/** Both relays to one `smtp-sink`, then both into Maildirs. */
export async function measureEndToEnd(): Promise<EndToEndResult[]> {
  await ensureSmtpSource(); // smtp-sink comes with it
  const sink = await startSmtpSink();
  try {
    const sinkCount = async () => (await sink.counters(() => true)).messages;
    const relayed = await measureRelays(
      { kind: "smtp", port: sink.port },
      sinkCount,
      () => Promise.resolve(),
    );
    const maildir = await measureRelays(
      { kind: "maildir" },
      (relay) => filesIn(relay.maildirNew!),
      emptyMaildir,
    );
    return [...relayed, ...maildir];
  } finally {
    await sink.stop();
  }
}

/** Removes the delivered files, so the next run counts from zero in a small folder. */
async function emptyMaildir(relay: Relay): Promise<void> {
  for await (const entry of Deno.readDir(relay.maildirNew!)) {
    await Deno.remove(`${relay.maildirNew}/${entry.name}`);
  }
}

const rate = (run: EndToEndRun) => run.messages / run.seconds;
const acceptRate = (run: EndToEndRun) => run.messages / run.acceptedSeconds;

/** The median end-to-end msg/s of one relay at one concurrency, when measured. */
export function endToEndRate(
  results: EndToEndResult[],
  query: { target: RelayTarget["kind"]; relay: Relay["name"]; sessions: number },
): number | undefined {
  const result = results.find((row) =>
    row.target === query.target && row.relay === query.relay && row.sessions === query.sessions
  );
  return result && median(result.runs.map(rate));
}

function table(results: EndToEndResult[]): string {
  const rows = results.map((result) => {
    const rates = result.runs.map(rate);
    const tollgate = endToEndRate(results, { ...result, relay: "Tollgate" })!;
    const ratio = result.relay === "Tollgate" ? "—" : (tollgate / median(rates)).toFixed(2);
    const sum = (key: keyof LogCounts) =>
      result.runs.reduce((total, run) => total + run.log[key], 0);
    const extra = result.runs.reduce((total, run) => total + run.extra, 0);
    return `| ${result.sessions} | ${result.relay} | ${median(rates).toFixed(0)} | ${
      Math.min(...rates).toFixed(0)
    }–${Math.max(...rates).toFixed(0)} | ${median(result.runs.map(acceptRate)).toFixed(0)} | ${
      median(result.runs.map((run) => run.seconds - run.acceptedSeconds)).toFixed(2)
    } | ${ratio} | ${sum("deferred")} / ${sum("troubled")} / ${extra} |`;
  });
  return [
    "| c | relay | median msg/s end to end | min–max | median msg/s accepted | median s from last 250 to empty | Tollgate / Postfix | deferred / other trouble / duplicates |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows,
  ].join("\n");
}

/** The `## End to end` section of `docs/benchmarks.md`: relayed, then into Maildirs. */
export function endToEndSection(results: EndToEndResult[]): string {
  const { runs, payloadBytes, warmUpMessages, shapes } = END_TO_END_LOAD;
  const counts = shapes.map((shape) => `${shape.messages} at c=${shape.sessions}`).join(", ");
  return `## End to end: Tollgate against Postfix, each with a durable queue (${runs} runs each)

### Relayed to Postfix's smtp-sink

${table(results.filter((result) => result.target === "smtp"))}

### Delivered into a local Maildir

${table(results.filter((result) => result.target === "maildir"))}

How it was measured (\`bench/relay_end_to_end.ts\`):
- \`smtp-source -s <c> -l ${payloadBytes}\` (one message per connection) sends ${counts}
  messages a run; the clock starts before its first connect and stops once every message
  has arrived *and* the relay's queue is empty again (polled every ${POLL_MS} ms). A relay's
  throughput is the rate at which mail leaves it.
- *Relayed*: to \`${RELAY_RECIPIENT}\`, which both relay to one Postfix \`smtp-sink\`
  (\`-c\`, its message counter is the arrival count). Tollgate: \`deno task start\` with
  \`TOLLGATE_DELIVERY=on\`, the trusted network \`127.0.0.0/8\` and a route \`*\` to the sink
  (\`tls: none\`), its queue empty when \`GET /api/queue?limit=1\` lists nothing. Postfix
  ${postfixVersion()}: a private instance (\`postfix -c <temp>/conf start\`) with its
  \`queue_directory\` and \`data_directory\` in a temporary folder on the same disk as
  Tollgate's data, \`mynetworks = 127.0.0.0/8\`, \`default_transport\` and
  \`relay_transport = smtp\`, \`relayhost = [127.0.0.1]:<sink>\`, logging to a file
  (\`maillog_file\`); its queue is empty when \`maildrop\`, \`incoming\`, \`active\`,
  \`deferred\` and \`hold\` hold no file.
- *Maildir*: to \`${MAILDIR_RECIPIENT}\`, a local user of Tollgate (its Maildir under
  \`$TOLLGATE_DATA/mail\`) and, for Postfix, a \`virtual\` mailbox
  (\`virtual_mailbox_domains\`, \`virtual_mailbox_maps = static:…/\`, uid and gid \`static:\`).
  Done when \`new/\` holds every message and the queue is empty; \`new/\` is emptied
  between runs, outside the clock.
- Both relays run side by side with their defaults otherwise; their runs alternate
  (Tollgate, Postfix, Tollgate, ...), after one warm-up run of ${warmUpMessages} messages
  each. The last column adds up, over the runs, the deferrals and other trouble in the
  relay's own log (Tollgate's \`deferred:\`/\`failed:\`/\`removed from the queue meanwhile\`/
  \`rror\` lines; Postfix's \`status=deferred\`/\`status=bounced\`/\`warning:\`/\`error:\`) and
  the messages that arrived more than once.
- Load generator, relay and sink share the same cores over loopback.
- Alone, with the delivery latency section: \`deno run -A bench/relay_end_to_end.ts\` (as
  root, which the private Postfix needs; about four minutes).
`;
}

if (import.meta.main) {
  const endToEnd = await measureEndToEnd();
  const latency = await measureDeliveryLatency();
  console.log(endToEndSection(endToEnd));
  console.log(deliveryLatencySection(latency));
}
