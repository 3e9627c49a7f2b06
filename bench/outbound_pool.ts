/**
 * Outbound against nodemailer: Tollgate's SMTP client (`deliverOverSmtp`) and
 * nodemailer's pooled SMTP transport (`createTransport({ pool: true, maxConnections: N })`)
 * send the same 1 KiB messages to the same Postfix `smtp-sink`, N connections at once,
 * the same number of messages per connection. smtp-sink's own counter confirms every run.
 *
 * Standalone: `deno run -A bench/outbound_pool.ts`; `bench/run.ts` adds its section to
 * `docs/benchmarks.md`.
 *
 * @module
 */

import nodemailer from "nodemailer";
import { type RunningSink, startSmtpSink } from "../tests/_smtp_sink.ts";
import { median } from "./_report.ts";
import { ensureSmtpSource } from "./_smtp_source.ts";
import { runOutboundLoad } from "./outbound.ts";

/** One pool shape: connections at once and messages per connection. */
export interface PoolShape {
  connections: number;
  perConnection: number;
}

/** Both clients' runs for one shape, in messages per second. */
export interface PoolResult {
  shape: PoolShape;
  tollgate: number[];
  nodemailer: number[];
}

/** Messages per run, warm-up messages, runs, payload bytes, and the shapes measured. */
export const POOL_LOAD = {
  messages: 1000,
  warmUpMessages: 100,
  runs: 3,
  payloadBytes: 1024,
  shapes: [
    { connections: 1, perConnection: 100 },
    { connections: 20, perConnection: 50 },
  ] as PoolShape[],
};

/** The bytes `bench/outbound.ts` hands `deliverOverSmtp`, so both clients send the same. */
function rawMessage(payloadBytes: number): string {
  const header =
    "From: bench@example.net\r\nTo: sink@example.net\r\nSubject: outbound bench\r\n\r\n";
  const line = "x".repeat(78) + "\r\n";
  return header + line.repeat(Math.ceil(payloadBytes / line.length)).slice(0, payloadBytes);
}

/** Sends `messages` through one pooled transport; returns messages per second. */
export async function runNodemailerPool(
  sink: RunningSink,
  load: { messages: number; shape: PoolShape; payloadBytes: number },
): Promise<number> {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: load.shape.connections,
    maxMessages: load.shape.perConnection,
    host: "127.0.0.1",
    port: sink.port,
    secure: false,
    ignoreTLS: true,
    name: "bench.test",
  });
  const raw = rawMessage(load.payloadBytes);
  const envelope = { from: "bench@example.net", to: ["sink@example.net"] };
  const before = await sink.counters(() => true);
  try {
    const started = performance.now();
    const sent = await Promise.all(
      Array.from({ length: load.messages }, () => transport.sendMail({ envelope, raw })),
    );
    const seconds = (performance.now() - started) / 1000;
    const refused = sent.find((info) => !info.response.startsWith("250"));
    if (refused) throw new Error(`nodemailer got ${refused.response}`);
    await sink.counters((now) => now.messages >= before.messages + load.messages);
    return load.messages / seconds;
  } finally {
    transport.close();
  }
}

/** Measures both clients for every shape against one smtp-sink. */
export async function measureOutboundPool(): Promise<PoolResult[]> {
  await ensureSmtpSource(); // Debian's postfix ships smtp-sink
  const sink = await startSmtpSink();
  const { messages, warmUpMessages, runs, payloadBytes } = POOL_LOAD;
  try {
    const results: PoolResult[] = [];
    for (const shape of POOL_LOAD.shapes) {
      const tollgateLoad = {
        messages,
        payloadBytes,
        concurrency: shape.connections,
        perConnection: shape.perConnection,
      };
      const nodemailerLoad = { messages, payloadBytes, shape };
      await runOutboundLoad(sink, { ...tollgateLoad, messages: warmUpMessages });
      await runNodemailerPool(sink, { ...nodemailerLoad, messages: warmUpMessages });
      const result: PoolResult = { shape, tollgate: [], nodemailer: [] };
      for (let run = 0; run < runs; run++) {
        // Alternate, so drift in the machine's load touches both alike.
        result.tollgate.push(await runOutboundLoad(sink, tollgateLoad));
        result.nodemailer.push(await runNodemailerPool(sink, nodemailerLoad));
      }
      console.log(
        `outbound pool, ${describeShape(shape)}: Tollgate ${rates(result.tollgate)}, ` +
          `nodemailer ${rates(result.nodemailer)} msg/s`,
      );
      results.push(result);
    }
    return results;
  } finally {
    await sink.stop();
  }
}

const rates = (runs: number[]) => runs.map((rate) => rate.toFixed(0)).join(", ");

function describeShape(shape: PoolShape): string {
  const connections = shape.connections === 1 ? "1 connection" : `${shape.connections} connections`;
  return `${connections}, ${shape.perConnection} messages per connection`;
}

/** The `## Outbound against nodemailer` section of `docs/benchmarks.md`. */
export function outboundPoolSection(results: PoolResult[]): string {
  const range = (runs: number[]) =>
    `${Math.min(...runs).toFixed(0)}–${Math.max(...runs).toFixed(0)}`;
  const rows = results.map(({ shape, tollgate, nodemailer }) =>
    `| ${describeShape(shape)} | ${median(tollgate).toFixed(0)} (${range(tollgate)}) | ${
      median(nodemailer).toFixed(0)
    } (${range(nodemailer)}) | ${(median(tollgate) / median(nodemailer)).toFixed(2)} |`
  );
  const { messages, warmUpMessages, runs, payloadBytes } = POOL_LOAD;
  return `## Outbound: Tollgate's SMTP client against nodemailer's pooled transport

| pool | Tollgate msg/s, median (min–max) | nodemailer msg/s, median (min–max) | Tollgate / nodemailer |
| --- | ---: | ---: | ---: |
${rows.join("\n")}

Both send the same bytes (${payloadBytes} bytes of payload plus headers, one recipient) to
the same Postfix \`smtp-sink\`, in one Deno process. Tollgate: \`deliverOverSmtp\` called by N
senders at once, each handing it a batch of messages for one connection (as
\`bench/outbound.ts\`). nodemailer ${nodemailerVersion()}: \`createTransport({ pool: true,
maxConnections: N, maxMessages })\` with the same N and messages per connection, every message
given at once to \`sendMail\` with a raw body and an envelope. ${messages} messages a run,
${runs} runs alternating between the two, ${warmUpMessages} warm-up messages each not counted;
smtp-sink's counter confirms each run arrived.
`;
}

function nodemailerVersion(): string {
  return /nodemailer@([^/]+)/.exec(import.meta.resolve("nodemailer"))?.[1] ?? "";
}

if (import.meta.main) {
  console.log(outboundPoolSection(await measureOutboundPool()));
}
