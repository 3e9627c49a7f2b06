/**
 * A paced SMTP sender over raw sockets: several connections share one schedule of
 * messages (message `i` is due `i / rate` seconds after the start, or at once at full
 * speed), each message carrying a unique `X-Bench-Id` header, and each `250` timed on the
 * wall clock (`performance.timeOrigin + performance.now()`, epoch milliseconds) so a sink
 * on the same machine can be compared against it.
 *
 * @module
 */

import { RawSmtpClient, sendMessage } from "../tests/_raw_smtp.ts";

/** What to send. */
export interface PacedLoad {
  port: number;
  /** Several listeners (the nodes of a cluster): connection *i* goes to `ports[i % n]`. */
  ports?: number[];
  messages: number;
  connections: number;
  /** Messages per second offered in all, or undefined for as fast as the server answers. */
  ratePerSecond?: number;
  payloadBytes: number;
  from: string;
  to: string;
  /** Prefix of every id in this run, so runs can share one sink. */
  idPrefix: string;
}

/** When each message got its `250`, by id, and how long sending took. */
export interface PacedRun {
  acceptedAt: Map<string, number>;
  seconds: number;
}

const LINE = "x".repeat(78) + "\r\n";

/** The wall clock in epoch milliseconds, to a fraction of one. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Sends `load.messages` messages over `load.connections` connections (one session each,
 * `MAIL` after `MAIL`), on schedule; any reply but `250` throws.
 *
 * @example
 * ```ts ignore
 * import { sendPaced } from "./_paced_sender.ts";
 * const run = await sendPaced({
 *   port: 2525, messages: 100, connections: 4, ratePerSecond: 500, payloadBytes: 1024,
 *   from: "a@example.net", to: "b@example.org", idPrefix: "run1-",
 * });
 * console.log(run.acceptedAt.size); // 100
 * ```
 */
export async function sendPaced(load: PacedLoad): Promise<PacedRun> {
  const filler = LINE.repeat(Math.ceil(load.payloadBytes / LINE.length)).slice(
    0,
    load.payloadBytes,
  );
  const acceptedAt = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  const ports = load.ports ?? [load.port];
  const connection = async (_: unknown, index: number) => {
    const client = await RawSmtpClient.connect(ports[index % ports.length]);
    try {
      expect((await client.reply()).code, 220, "greeting");
      expect((await client.command("EHLO paced.bench.test")).code, 250, "EHLO");
      while (next < load.messages) {
        const index = next++;
        if (load.ratePerSecond !== undefined) {
          const due = started + (index * 1000) / load.ratePerSecond;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        const id = `${load.idPrefix}${index}`;
        const body = `X-Bench-Id: ${id}\r\nSubject: paced ${id}\r\n\r\n${filler}`;
        const reply = await sendMessage(client, { from: load.from, to: [load.to], body });
        expect(reply.code, 250, `message ${id} (${reply.lines.join(" / ")})`);
        acceptedAt.set(id, epochMs());
      }
      await client.command("QUIT");
    } finally {
      client.close();
    }
  };
  await Promise.all(Array.from({ length: load.connections }, connection));
  return { acceptedAt, seconds: (performance.now() - started) / 1000 };
}

function expect(code: number, wanted: number, step: string): void {
  if (code !== wanted) throw new Error(`Paced sender, ${step}: expected ${wanted}, got ${code}`);
}
