/**
 * Outbound throughput: Tollgate's SMTP client (`deliverOverSmtp`) sending to
 * Postfix's `smtp-sink`, one message per connection against many messages
 * per connection, from one and from 20 concurrent senders. smtp-sink's own
 * message counter confirms that every message arrived.
 *
 * Standalone: `deno run -A bench/outbound.ts`; `bench/run.ts` adds its
 * section to `docs/benchmarks.md`.
 *
 * @module
 */
import { deliverOverSmtp } from "../runtime/deno/smtp_client.ts";
import type { OutboundMessage, OutboundTarget } from "../delivery/outbound_types.ts";
import { type RunningSink, startSmtpSink } from "../tests/_smtp_sink.ts";
import { median } from "./_report.ts";
import { ensureSmtpSource } from "./_smtp_source.ts";

/** One outbound load. */
export interface OutboundLoad {
  messages: number;
  /** Senders working at once. */
  concurrency: number;
  /** Messages per connection: 1 opens a connection for every message. */
  perConnection: number;
  payloadBytes: number;
}

/** Every run of one load, in messages per second. */
export interface OutboundResult {
  load: OutboundLoad;
  runs: number[];
}

const RUNS = 3;
const MESSAGES = 1000;
const WARM_UP_MESSAGES = 100;
const PAYLOAD_BYTES = 1024;
const LOADS: Omit<OutboundLoad, "messages" | "payloadBytes">[] = [
  { concurrency: 1, perConnection: 1 },
  { concurrency: 1, perConnection: 100 },
  { concurrency: 20, perConnection: 1 },
  { concurrency: 20, perConnection: 50 },
];

function benchMessage(payloadBytes: number): OutboundMessage {
  const header =
    "From: bench@example.net\r\nTo: sink@example.net\r\nSubject: outbound bench\r\n\r\n";
  const line = "x".repeat(78) + "\r\n";
  const body = new TextEncoder().encode(
    header + line.repeat(Math.ceil(payloadBytes / line.length)).slice(0, payloadBytes),
  );
  return {
    from: "bench@example.net",
    to: ["sink@example.net"],
    size: body.length,
    body: async function* () {
      yield body;
    },
  };
}

/** Sends `load.messages` messages and returns messages per second; throws unless all arrived. */
export async function runOutboundLoad(sink: RunningSink, load: OutboundLoad): Promise<number> {
  const target: OutboundTarget = {
    host: "127.0.0.1",
    port: sink.port,
    tls: "none",
    ehloName: "bench.test",
  };
  const message = benchMessage(load.payloadBytes);
  const before = await sink.counters(() => true);
  let taken = 0;
  let failure: string | undefined;
  const sender = async () => {
    while (taken < load.messages && failure === undefined) {
      const count = Math.min(load.perConnection, load.messages - taken);
      taken += count;
      const outcomes = await deliverOverSmtp(target, Array(count).fill(message));
      const bad = outcomes.flat().find((outcome) => outcome.status !== "delivered");
      if (bad) failure = `${bad.status}: ${bad.reply}`;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: load.concurrency }, sender));
  const seconds = (performance.now() - started) / 1000;
  if (failure !== undefined) throw new Error(`Outbound bench delivery failed: ${failure}`);
  await sink.counters((now) => now.messages >= before.messages + load.messages);
  return load.messages / seconds;
}

/** Measures every load against one smtp-sink. */
export async function measureOutbound(): Promise<OutboundResult[]> {
  await ensureSmtpSource(); // Debian's postfix ships smtp-sink next to smtp-source
  const sink = await startSmtpSink();
  try {
    const results: OutboundResult[] = [];
    for (const shape of LOADS) {
      const load = { ...shape, messages: MESSAGES, payloadBytes: PAYLOAD_BYTES };
      await runOutboundLoad(sink, { ...load, messages: WARM_UP_MESSAGES });
      const runs = [];
      for (let run = 0; run < RUNS; run++) runs.push(await runOutboundLoad(sink, load));
      console.log(
        `outbound, ${describeLoad(load)}: ${runs.map((rate) => rate.toFixed(0)).join(", ")} msg/s`,
      );
      results.push({ load, runs });
    }
    return results;
  } finally {
    await sink.stop();
  }
}

function describeLoad(load: OutboundLoad): string {
  const senders = load.concurrency === 1 ? "1 sender" : `${load.concurrency} senders`;
  const reuse = load.perConnection === 1
    ? "one message per connection"
    : `${load.perConnection} messages per connection`;
  return `${senders}, ${reuse}`;
}

/** The `## Outbound` section of `docs/benchmarks.md`. */
export function outboundSection(results: OutboundResult[]): string {
  const rows = results.map(({ load, runs }) => {
    const range = `${Math.min(...runs).toFixed(0)}–${Math.max(...runs).toFixed(0)}`;
    return `| ${describeLoad(load)} | ${median(runs).toFixed(0)} | ${range} |`;
  });
  return `## Outbound: Tollgate's SMTP client to Postfix's smtp-sink (messages per second, ${RUNS} runs each)

| load | median msg/s | min–max msg/s |
| --- | ---: | ---: |
${rows.join("\n")}

Each message (${PAYLOAD_BYTES} bytes of payload plus headers, one recipient) goes through
\`deliverOverSmtp\` (\`runtime/deno/smtp_client.ts\`): connect, EHLO, pipelined MAIL/RCPT/DATA,
dot-stuffed body, QUIT; TLS mode \`none\` (smtp-sink has no STARTTLS). *One message per
connection* calls it once per message; *N messages per connection* hands it N messages, which
it sends over one connection. ${MESSAGES} messages a run, ${WARM_UP_MESSAGES} warm-up
messages per load not counted; smtp-sink's own counter (\`-c\`) confirms each run arrived.
Client and sink share the same cores over loopback.
`;
}

if (import.meta.main) {
  console.log(outboundSection(await measureOutbound()));
}
