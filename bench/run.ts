/**
 * `deno task bench`: Tollgate against nodemailer's smtp-server under Postfix's
 * `smtp-source`, plus Tollgate's peak memory for one 25 MiB message. Writes
 * `docs/benchmarks.md` and prints it. Bounded: 1,000 messages a run, a few minutes in all.
 *
 * @module
 */

import { addLocalUser, listQueue, type RunningTollgate, startTollgate } from "../tests/_server.ts";
import { startPeer } from "./_peer.ts";
import { readMemoryCounters, resetPeakMemory } from "./_proc_status.ts";
import {
  type BenchEnvironment,
  benchmarksMarkdown,
  type MemoryResult,
  memoryTable,
  type ServerName,
  type ThroughputResult,
  throughputTable,
} from "./_report.ts";
import { ensureSmtpSource, runSmtpSource, type SourceLoad } from "./_smtp_source.ts";
import { makeTestCertificate } from "../tests/_tls_cert.ts";
import { authSection, measureAuth } from "./auth_sessions.ts";
import { measureTlsSessions, type TlsLoad, type TlsResult, tlsSection } from "./tls_sessions.ts";
import { measureOutbound, outboundSection } from "./outbound.ts";
import { hostileSection, measureHostileLoad } from "./hostile_load.ts";
import { type BenchServer, startSinkServer, withServer } from "./_servers.ts";
import { ensureHaraka, HARAKA_VERSION, startHaraka } from "./_haraka.ts";
import { measurePayload100K, payload100KSection } from "./payload_100k.ts";

const RUNS = 3;
const MESSAGES_PER_RUN = 1000;
const WARM_UP_MESSAGES = 100;
const SESSIONS = 20;
const PAYLOAD_BYTES = 1024;
const LARGE_PAYLOAD_BYTES = 25 * 1024 * 1024;
/** Room for the 25 MiB payload plus smtp-source's and Tollgate's headers. */
const DATABYTES = String(26 * 1024 * 1024);
const BENCH_USER = { address: "bench@example.net", password: "bench-password" };
const SCENARIOS = [
  { name: "one message per connection", reuseConnections: false },
  { name: "many per connection (-d)", reuseConnections: true },
];
const DENO_JSON = new URL("../deno.json", import.meta.url);
const REPORT_PATH = new URL("../docs/benchmarks.md", import.meta.url);

function loadFor(reuseConnections: boolean, messages: number): SourceLoad {
  return {
    messages,
    sessions: SESSIONS,
    payloadBytes: PAYLOAD_BYTES,
    reuseConnections,
    sender: BENCH_USER.address,
    recipient: BENCH_USER.address,
  };
}

async function measureThroughput(server: ServerName, port: number): Promise<ThroughputResult[]> {
  const results: ThroughputResult[] = [];
  for (const scenario of SCENARIOS) {
    await runSmtpSource(port, loadFor(scenario.reuseConnections, WARM_UP_MESSAGES));
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      runs.push(await runSmtpSource(port, loadFor(scenario.reuseConnections, MESSAGES_PER_RUN)));
      const last = runs[runs.length - 1];
      console.log(
        `${server}, ${scenario.name}, run ${run + 1}: ${last.messagesPerSecond.toFixed(0)} msg/s`,
      );
    }
    results.push({ scenario: scenario.name, server, runs });
  }
  return results;
}

async function startBenchTollgate(): Promise<RunningTollgate> {
  const tollgate = await startTollgate({ env: { TOLLGATE_DATABYTES: DATABYTES } });
  try {
    await addLocalUser(tollgate, BENCH_USER);
    return tollgate;
  } catch (error) {
    await tollgate.stop();
    throw error;
  }
}

/** Adds Tollgate's output to an error raised while it was under load. */
function withServerOutput(tollgate: RunningTollgate, error: unknown): Error {
  return new Error(`${error}\nTollgate's output:\n${tollgate.output()}`, { cause: error });
}

async function measureTollgate(): Promise<ThroughputResult[]> {
  const tollgate = await startBenchTollgate();
  try {
    const results = await measureThroughput("Tollgate", tollgate.smtpPort);
    const expected = SCENARIOS.length * (WARM_UP_MESSAGES + RUNS * MESSAGES_PER_RUN);
    const queued = (await listQueue(tollgate)).length;
    if (queued !== expected) {
      throw new Error(`Tollgate queued ${queued} messages; smtp-source got 250 for ${expected}`);
    }
    return results;
  } catch (error) {
    throw withServerOutput(tollgate, error);
  } finally {
    await tollgate.stop();
  }
}

async function measurePeer(greetingDelay: boolean): Promise<ThroughputResult[]> {
  const peer = await startPeer({ greetingDelay });
  try {
    const name = greetingDelay ? "smtp-server (as shipped)" : "smtp-server (no greeting delay)";
    return await measureThroughput(name, peer.port);
  } finally {
    await peer.stop();
  }
}

/** The throughput scenarios against another peer; its own counter (if any) must match. */
async function measureOtherPeer(start: () => Promise<BenchServer>): Promise<ThroughputResult[]> {
  return await withServer(start, async (server) => {
    const results = await measureThroughput(server.name, server.port);
    await server.confirmAccepted(SCENARIOS.length * (WARM_UP_MESSAGES + RUNS * MESSAGES_PER_RUN));
    return results;
  });
}

/** Haraka with one process and with two, or why it could not run. */
async function measureHaraka(): Promise<{ results: ThroughputResult[]; note: string }> {
  const install = await ensureHaraka();
  if (!install.ok) {
    console.log(`Haraka not measured: ${install.reason}`);
    return {
      results: [],
      note: `Haraka ${HARAKA_VERSION} could not be measured: ${install.reason}.`,
    };
  }
  const results = [];
  for (const processes of [1, 2] as const) {
    results.push(...await measureOtherPeer(() => startHaraka(install.binary, { processes })));
  }
  const node = await commandOutput("node", ["--version"]);
  const note = `Haraka ${HARAKA_VERSION} (npm, on Node ${node}) discards too: its only plugin ` +
    "accepts every recipient and every message (`bench/_haraka.ts`); *1 process* runs " +
    "without cluster (`nodes=0`), *2 processes* is a cluster of two workers (`nodes=2`).";
  return { results, note };
}

async function measureLargeMessageMemory(): Promise<MemoryResult> {
  const tollgate = await startBenchTollgate();
  try {
    await runSmtpSource(tollgate.smtpPort, { ...loadFor(false, 1), sessions: 1 });
    // Creating the user ran scrypt (32 MiB); start the peak afresh so it shows the message.
    await resetPeakMemory(tollgate.pid);
    const before = await readMemoryCounters(tollgate.pid);
    await runSmtpSource(tollgate.smtpPort, {
      ...loadFor(false, 1),
      sessions: 1,
      payloadBytes: LARGE_PAYLOAD_BYTES,
    });
    const after = await readMemoryCounters(tollgate.pid);
    const largest = Math.max(...(await listQueue(tollgate)).map((message) => message.size));
    if (largest < LARGE_PAYLOAD_BYTES) {
      throw new Error(`The large message is not queued: the largest is ${largest} bytes`);
    }
    return { messageBytes: LARGE_PAYLOAD_BYTES, before, after };
  } catch (error) {
    throw withServerOutput(tollgate, error);
  } finally {
    await tollgate.stop();
  }
}

const TLS_LOAD = { sessions: 300, concurrency: 10 };

/** STARTTLS and implicit-TLS sessions per second, Tollgate and smtp-server with TLS. */
async function measureTls(): Promise<TlsResult[]> {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-bench-tls-" });
  const certificate = await makeTestCertificate(dir);
  const results: TlsResult[] = [];
  const measure = async (server: string, mode: TlsLoad["mode"], port: number) => {
    const load = { ...TLS_LOAD, port, mode, caPem: certificate.pem, hostname: "mail.domain.de" };
    await measureTlsSessions({ ...load, sessions: 30 }); // warm-up
    const runs = [];
    for (let run = 0; run < RUNS; run++) runs.push(await measureTlsSessions(load));
    console.log(
      `${server}, ${mode} TLS: ${runs.map((value) => value.toFixed(0)).join(", ")} sessions/s`,
    );
    results.push({ server, mode, runs });
  };
  try {
    const tollgate = await startTollgate({
      env: { TOLLGATE_TLS_CERT: certificate.certPath, TOLLGATE_TLS_KEY: certificate.keyPath },
    });
    try {
      await measure("Tollgate", "starttls", tollgate.smtpPort);
      await measure("Tollgate", "implicit", tollgate.submissionsPort!);
    } catch (error) {
      throw withServerOutput(tollgate, error);
    } finally {
      await tollgate.stop();
    }
    for (const secure of [false, true]) {
      const tls = { certPath: certificate.certPath, keyPath: certificate.keyPath, secure };
      const peer = await startPeer({ greetingDelay: false, tls });
      try {
        await measure(
          "smtp-server (no greeting delay)",
          secure ? "implicit" : "starttls",
          peer.port,
        );
      } finally {
        await peer.stop();
      }
    }
    return results;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function commandOutput(command: string, args: string[]): Promise<string> {
  try {
    const output = await new Deno.Command(command, { args, stdin: "null", stderr: "null" })
      .output();
    return output.success ? new TextDecoder().decode(output.stdout).trim() : "unknown";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "unknown";
    throw error;
  }
}

async function describeEnvironment(): Promise<BenchEnvironment> {
  const denoJson = JSON.parse(await Deno.readTextFile(DENO_JSON));
  const cpuInfo = await Deno.readTextFile("/proc/cpuinfo");
  return {
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    cpus: Number(await commandOutput("nproc", [])),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1] ?? "unknown CPU",
    kernel: Deno.osRelease(),
    versions: {
      Tollgate: denoJson.version,
      Deno: Deno.version.deno,
      "smtp-server": denoJson.imports["smtp-server"].replace("npm:smtp-server@", ""),
      "Postfix smtp-source": await commandOutput("dpkg-query", ["-W", "-f=${Version}", "postfix"]),
    },
    load: `smtp-source -c -l ${PAYLOAD_BYTES} -m ${MESSAGES_PER_RUN} -s ${SESSIONS} ` +
      `[-d], sender and recipient ${BENCH_USER.address} (a local user of Tollgate); ` +
      `${WARM_UP_MESSAGES} warm-up messages per scenario not counted`,
  };
}

await ensureSmtpSource();
const environment = await describeEnvironment();
// Memory first: thousands of TIME_WAIT sockets from the throughput runs can make a later
// bind to 127.0.0.1:0 fail with EADDRINUSE on Linux.
const memory = await measureLargeMessageMemory();
const tls = await measureTls();
const auth = await measureAuth();
const haraka = await measureHaraka();
const measured = [
  ...await measureTollgate(),
  ...await measurePeer(true),
  ...await measurePeer(false),
  ...await measureOtherPeer(startSinkServer),
  ...haraka.results,
];
const throughput = SCENARIOS.flatMap((scenario) =>
  measured.filter((result) => result.scenario === scenario.name)
);
const payload100K = await measurePayload100K();
const outbound = await measureOutbound();
const hostile = await measureHostileLoad({
  durationMs: 20_000,
  guessers: 100,
  idlers: 100,
  tricklers: 50,
  legitimateClients: 10,
});
const sections = [
  payload100KSection(payload100K),
  tlsSection(tls, TLS_LOAD),
  authSection(auth),
  outboundSection(outbound),
  hostileSection(hostile),
];
await Deno.writeTextFile(
  REPORT_PATH,
  benchmarksMarkdown({
    environment,
    throughput,
    memory,
    sections,
    throughputNotes: [
      "Postfix `smtp-sink` (C, one process, discards) is the practical ceiling: " +
      "`smtp-sink -c 127.0.0.1:<port> 256`, its own message counter checked after the runs.",
      haraka.note,
    ],
  }),
);
console.log(`\n${throughputTable(throughput)}\n\n${memoryTable(memory)}\n`);
console.log(`Wrote ${REPORT_PATH.pathname}`);
