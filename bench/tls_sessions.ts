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

/** One server's TLS sessions per second, per run. */
export interface TlsResult {
  server: string;
  mode: TlsLoad["mode"];
  runs: number[];
}

/** The `## TLS sessions` section of `docs/benchmarks.md`. */
export function tlsSection(results: TlsResult[], load: { sessions: number; concurrency: number }) {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const rows = results.map((result) => {
    const tollgate = results.find((other) =>
      other.server === "Tollgate" && other.mode === result.mode
    );
    const ratio = tollgate ? (median(tollgate.runs) / median(result.runs)).toFixed(2) : "";
    const range = `${Math.min(...result.runs).toFixed(0)}–${Math.max(...result.runs).toFixed(0)}`;
    return `| ${result.mode} | ${result.server} | ${median(result.runs).toFixed(0)} | ${range} | ${
      result.server === "Tollgate" ? "" : `${ratio}×`
    } |`;
  });
  return `## TLS sessions per second

| mode | server | median sessions/s | min–max | Tollgate / this |
| --- | --- | --- | --- | --- |
${rows.join("\n")}

Each session: greeting, \`EHLO\`, \`STARTTLS\`, handshake, \`EHLO\`, \`QUIT\` (*starttls*), or the
handshake, greeting, \`EHLO\`, \`QUIT\` (*implicit*, port 465 style), ${load.sessions} sessions per
run from ${load.concurrency} concurrent clients (\`bench/tls_sessions.ts\`, Deno's TLS client), the
same ECDSA P-256 certificate for both servers. smtp-server runs without its 100 ms greeting delay.
`;
}
