/**
 * CPU per accepted message: `smtp-source` (20 sessions, one 1 KiB message per
 * connection) against Tollgate with its queue held (`TOLLGATE_DELIVERY=off`, as
 * `tests/_server.ts` starts it) and against the bare Deno responder
 * (`bench/deno_floor_peer.ts`, the floor under any Deno SMTP server); the CPU time each
 * process and its main thread used, from `/proc/<pid>/stat`, divided by the messages.
 *
 * Standalone: `deno run -A bench/cpu_per_message.ts`; `bench/run.ts` adds its section to
 * `docs/benchmarks.md`.
 *
 * @module
 */

import { type CpuTime, readCpuTime } from "./_proc_status.ts";
import { median, type ServerName } from "./_report.ts";
import {
  BENCH_USER,
  type BenchServer,
  startDenoFloor,
  startTollgateServer,
  withServers,
} from "./_servers.ts";
import { ensureSmtpSource, runSmtpSource, type SourceLoad } from "./_smtp_source.ts";

/** The load: messages per run, runs per server (interleaved), warm-up messages. */
export const CPU_LOAD = { messages: 2000, sessions: 20, payloadBytes: 1024, runs: 3, warmUp: 200 };

/** One server's CPU milliseconds per message, one value per run. */
export interface CpuResult {
  server: ServerName;
  processMsPerMessage: number[];
  mainThreadMsPerMessage: number[];
}

const FLOOR: ServerName = "bare Deno server, conn.read into 4 KiB";

function loadOf(messages: number): SourceLoad {
  const { sessions, payloadBytes } = CPU_LOAD;
  return {
    messages,
    sessions,
    payloadBytes,
    reuseConnections: false,
    sender: BENCH_USER.address,
    recipient: BENCH_USER.address,
  };
}

async function cpuRun(server: BenchServer, messages: number): Promise<CpuTime> {
  const before = await readCpuTime(server.pid!);
  await runSmtpSource(server.port, loadOf(messages));
  const after = await readCpuTime(server.pid!);
  return {
    processMs: (after.processMs - before.processMs) / messages,
    mainThreadMs: (after.mainThreadMs - before.mainThreadMs) / messages,
  };
}

/** Tollgate and the floor side by side, their runs alternating. */
export async function measureCpuPerMessage(): Promise<CpuResult[]> {
  await ensureSmtpSource();
  return await withServers(
    [startTollgateServer, () => startDenoFloor("read-4k")],
    async (servers) => {
      const results = servers.map((server): CpuResult => ({
        server: server.name,
        processMsPerMessage: [],
        mainThreadMsPerMessage: [],
      }));
      for (const server of servers) await cpuRun(server, CPU_LOAD.warmUp);
      for (let run = 0; run < CPU_LOAD.runs; run++) {
        for (const [index, server] of servers.entries()) {
          const cpu = await cpuRun(server, CPU_LOAD.messages);
          results[index].processMsPerMessage.push(cpu.processMs);
          results[index].mainThreadMsPerMessage.push(cpu.mainThreadMs);
          console.log(
            `CPU per message, ${server.name}, run ${run + 1}: ${cpu.processMs.toFixed(3)} ms ` +
              `(main thread ${cpu.mainThreadMs.toFixed(3)} ms)`,
          );
        }
      }
      await servers[0].confirmAccepted(CPU_LOAD.warmUp + CPU_LOAD.runs * CPU_LOAD.messages);
      return results;
    },
  );
}

/** Tollgate's median CPU per message over the floor's, for the process and the main thread. */
export function cpuRatios(
  results: CpuResult[],
): { process: number; mainThread: number } | undefined {
  const tollgate = results.find((result) => result.server === "Tollgate");
  const floor = results.find((result) => result.server === FLOOR);
  if (!tollgate || !floor) return undefined;
  return {
    process: median(tollgate.processMsPerMessage) / median(floor.processMsPerMessage),
    mainThread: median(tollgate.mainThreadMsPerMessage) / median(floor.mainThreadMsPerMessage),
  };
}

/** The `## CPU per accepted message` section of `docs/benchmarks.md`. */
export function cpuSection(results: CpuResult[]): string {
  const ratios = cpuRatios(results);
  const rows = results.map((result) => {
    const ratio = (key: "process" | "mainThread") =>
      result.server === "Tollgate" && ratios ? `${ratios[key].toFixed(1)}×` : "—";
    return `| ${result.server} | ${median(result.processMsPerMessage).toFixed(3)} | ${
      ratio("process")
    } | ${median(result.mainThreadMsPerMessage).toFixed(3)} | ${ratio("mainThread")} |`;
  });
  const { messages, sessions, payloadBytes, runs, warmUp } = CPU_LOAD;
  return `## CPU per accepted message (${runs} runs each, medians)

| server | process CPU ms / message | over the floor | main thread CPU ms / message | over the floor |
| --- | ---: | ---: | ---: | ---: |
${rows.join("\n")}

\`smtp-source -s ${sessions} -l ${payloadBytes} -m ${messages}\` (one message per connection)
against Tollgate with its queue held (\`TOLLGATE_DELIVERY=off\`: every message committed to
its durable queue, nothing delivered) and against \`bench/deno_floor_peer.ts read-4k\`, a
bare Deno server that answers each line and swallows the body (the floor under any Deno
SMTP server). CPU is \`utime + stime\` from \`/proc/<pid>/stat\` (all threads) and
\`/proc/<pid>/task/<pid>/stat\` (the main, JavaScript thread) before and after each run, in
10 ms ticks, divided by the messages. The runs alternate, after ${warmUp} warm-up messages each.
`;
}

if (import.meta.main) {
  console.log(cpuSection(await measureCpuPerMessage()));
}
