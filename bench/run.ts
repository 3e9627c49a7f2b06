/**
 * `deno task bench`: Tollgate against nodemailer's smtp-server, Postfix's smtp-sink and
 * Haraka under Postfix's `smtp-source`, Tollgate's peak memory for one 25 MiB message,
 * Tollgate against a private Postfix end to end (relayed and into Maildirs, and delivery
 * latency), Tollgate on KV, on PostgreSQL and as two nodes on one PostgreSQL
 * (`bench/cluster.ts`), and the sections of the other benchmarks in `bench/`. Writes `docs/benchmarks.md` and prints
 * its tables. Bounded: every load has fixed counts; under ten minutes in all on 2 cores.
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
  throughputTable,
} from "./_report.ts";
import { ensureSmtpSource, runSmtpSource, type SourceLoad } from "./_smtp_source.ts";
import { makeTestCertificate } from "../tests/_tls_cert.ts";
import { authSection, measureAuth } from "./auth_sessions.ts";
import { measureTlsSessions, type TlsLoad, type TlsResult, tlsSection } from "./tls_sessions.ts";
import { measureOutbound, outboundSection } from "./outbound.ts";
import { hostileSection, measureHostileLoad } from "./hostile_load.ts";
import { HARAKA_VERSION } from "./_haraka.ts";
import { otherPeers } from "./other_peers.ts";
import { measureSourcePlans } from "./_source_runs.ts";
import { BENCH_USER, startSmtpServer, startTollgateServer, withServers } from "./_servers.ts";
import { measurePayload100K, payload100KSection } from "./payload_100k.ts";
import { latencySection, measureLatency } from "./latency.ts";
import { idleMemorySection, measureIdleMemoryAll } from "./idle_memory.ts";
import { measureOutboundPool, outboundPoolSection } from "./outbound_pool.ts";
import { growthSection, measureGrowth } from "./growth.ts";
import { targetsSection } from "./targets.ts";
import { endToEndSection, measureEndToEnd } from "./relay_end_to_end.ts";
import { deliveryLatencySection, measureDeliveryLatency } from "./delivery_latency.ts";
import { cpuSection, measureCpuPerMessage } from "./cpu_per_message.ts";
import { clusterSection, measureCluster } from "./cluster.ts";

const RUNS = 5;
const MESSAGES_PER_RUN = 1000;
const WARM_UP_MESSAGES = 100;
const SESSIONS = 20;
const PAYLOAD_BYTES = 1024;
const LARGE_PAYLOAD_BYTES = 25 * 1024 * 1024;
/** Room for the 25 MiB payload plus smtp-source's and Tollgate's headers. */
const DATABYTES = String(26 * 1024 * 1024);
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

/** A fresh Tollgate's peak memory rise for one large message, after one of `warmUpBytes`. */
async function measureLargeMessageMemory(warmUpBytes: number): Promise<MemoryResult> {
  const tollgate = await startBenchTollgate();
  try {
    await runSmtpSource(tollgate.smtpPort, {
      ...loadFor(false, 1),
      sessions: 1,
      payloadBytes: warmUpBytes,
    });
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
    return { warmUpBytes, messageBytes: LARGE_PAYLOAD_BYTES, before, after };
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

/** The commit measured, marked when the working tree differs from it. */
async function describeCommit(): Promise<string> {
  const commit = await commandOutput("git", ["rev-parse", "--short", "HEAD"]);
  const changes = await commandOutput("git", ["status", "--porcelain", "--untracked-files=no"]);
  return changes === "" ? commit : `${commit} with uncommitted changes`;
}

async function describeEnvironment(): Promise<BenchEnvironment> {
  const denoJson = JSON.parse(await Deno.readTextFile(DENO_JSON));
  const cpuInfo = await Deno.readTextFile("/proc/cpuinfo");
  return {
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    cpus: Number(await commandOutput("nproc", [])),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1] ?? "unknown CPU",
    kernel: Deno.osRelease(),
    loadAverage: (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(", "),
    versions: {
      Tollgate: `${denoJson.version} (commit ${await describeCommit()})`,
      Deno: Deno.version.deno,
      "smtp-server": denoJson.imports["smtp-server"].replace("npm:smtp-server@", ""),
      nodemailer: denoJson.imports["nodemailer"].replace("npm:nodemailer@", ""),
      Haraka: HARAKA_VERSION,
      Node: await commandOutput("node", ["--version"]),
      "Postfix smtp-source": await commandOutput("dpkg-query", ["-W", "-f=${Version}", "postfix"]),
    },
    load: `smtp-source -l ${PAYLOAD_BYTES} -m ${MESSAGES_PER_RUN} -s ${SESSIONS} ` +
      `[-d], sender and recipient ${BENCH_USER.address} (a local user of Tollgate); ` +
      `${WARM_UP_MESSAGES} warm-up messages per scenario not counted`,
  };
}

await ensureSmtpSource();
const environment = await describeEnvironment();
// Memory first: thousands of TIME_WAIT sockets from the throughput runs can make a later
// bind to 127.0.0.1:0 fail with EADDRINUSE on Linux.
const memory = [
  await measureLargeMessageMemory(PAYLOAD_BYTES),
  await measureLargeMessageMemory(1024 * 1024),
];
const idleMemory = await measureIdleMemoryAll();
const tls = await measureTls();
const auth = await measureAuth();
const peers = await otherPeers();
const throughput = await withServers(
  [startTollgateServer, () => startSmtpServer(true), () => startSmtpServer(false), ...peers.starts],
  (servers) =>
    measureSourcePlans(
      servers,
      SCENARIOS.map((scenario) => ({
        scenario: scenario.name,
        load: loadFor(scenario.reuseConnections, MESSAGES_PER_RUN),
        runs: RUNS,
        warmUpMessages: WARM_UP_MESSAGES,
      })),
    ),
);
const cpu = await measureCpuPerMessage();
const payload100K = await measurePayload100K();
const latency = await measureLatency();
const growth = await measureGrowth();
const outbound = await measureOutbound();
const outboundPool = await measureOutboundPool();
const hostile = await measureHostileLoad({
  durationMs: 20_000,
  guessers: 100,
  idlers: 100,
  tricklers: 50,
  legitimateClients: 10,
});
// The whole job: Tollgate against a private Postfix, from the first connect to the next hop.
const endToEnd = await measureEndToEnd();
const deliveryLatency = await measureDeliveryLatency();
// Several nodes: KV, PostgreSQL (1 and 2 nodes) and Postfix, with WAL bytes per message.
const cluster = await measureCluster();
const sections = [
  targetsSection({
    throughput,
    payload100K,
    auth,
    tls,
    idleMemory,
    memory,
    outboundPool,
    latency,
    endToEnd,
    deliveryLatency,
    cpu,
  }),
  endToEndSection(endToEnd),
  deliveryLatencySection(deliveryLatency),
  clusterSection(cluster),
  cpuSection(cpu),
  payload100KSection(payload100K),
  latencySection(latency),
  idleMemorySection(idleMemory),
  growthSection(growth),
  tlsSection(tls, TLS_LOAD),
  authSection(auth),
  outboundSection(outbound),
  outboundPoolSection(outboundPool),
  hostileSection(hostile),
];
await Deno.writeTextFile(
  REPORT_PATH,
  benchmarksMarkdown({
    environment,
    throughput,
    memory,
    sections,
    throughputNotes: peers.notes,
  }),
);
console.log(`\n${throughputTable(throughput)}\n\n${memoryTable(memory)}\n`);
console.log(`Wrote ${REPORT_PATH.pathname}`);
