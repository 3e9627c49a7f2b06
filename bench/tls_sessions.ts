/**
 * TLS sessions per second: `EHLO, STARTTLS, EHLO, QUIT` on a plain port and
 * `EHLO, QUIT` on an implicit-TLS port, from a number of concurrent clients,
 * against any server. The same client code measures Tollgate and its peer in
 * one run, so only the ratio counts.
 *
 * @module
 */
import { RawSmtpClient } from "../tests/_raw_smtp.ts";

/** One TLS load: where to connect and how. */
export interface TlsLoad {
  /** The server's loopback port. */
  port: number;
  /** `starttls`: plaintext greeting, then STARTTLS; `implicit`: TLS from the first byte. */
  mode: "starttls" | "implicit";
  /** The certificate (PEM) the client trusts. */
  caPem: string;
  /** The name on the certificate. */
  hostname: string;
  /** How many sessions in all. */
  sessions: number;
  /** How many clients at once. */
  concurrency: number;
}

async function oneSession(load: TlsLoad): Promise<void> {
  const tlsOptions = { hostname: load.hostname, caCerts: [load.caPem] };
  const client = await RawSmtpClient.connect(load.port);
  try {
    if (load.mode === "implicit") await client.startTls(tlsOptions);
    expect(await client.reply(), 220);
    expect(await client.command("EHLO bench.test"), 250);
    if (load.mode === "starttls") {
      expect(await client.command("STARTTLS"), 220);
      await client.startTls(tlsOptions);
      expect(await client.command("EHLO bench.test"), 250);
    }
    expect(await client.command("QUIT"), 221);
  } finally {
    client.close();
  }
}

function expect(reply: { code: number; lines: string[] }, code: number): void {
  if (reply.code !== code) {
    throw new Error(`expected ${code}, got ${reply.code} ${reply.lines.join(" / ")}`);
  }
}

/** Runs the load and returns completed sessions per second. Any failed session throws. */
export async function measureTlsSessions(load: TlsLoad): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < load.sessions) {
      next++;
      await oneSession(load);
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  return load.sessions / ((performance.now() - started) / 1000);
}
