/**
 * The servers the comparisons run against, behind one shape: Tollgate (with the bench
 * user), nodemailer's smtp-server and Postfix's smtp-sink, each on 127.0.0.1 with a
 * kernel-chosen port. Haraka lives in `bench/_haraka.ts`.
 *
 * @module
 */

import { addLocalUser, listQueue, startTollgate } from "../tests/_server.ts";
import { startSmtpSink } from "../tests/_smtp_sink.ts";
import { startPeer, startScript } from "./_peer.ts";
import type { ServerName } from "./_report.ts";

/** The sender and recipient of every benchmark message: a local user of Tollgate. */
export const BENCH_USER = { address: "bench@example.net", password: "bench-password" };

/** A server under load. */
export interface BenchServer {
  name: ServerName;
  port: number;
  /** The process whose `/proc/<pid>/status` shows the server's memory, when there is one. */
  pid?: number;
  /**
   * Throws unless the server has taken exactly `count` messages since it started. A server
   * that cannot tell (smtp-server, Haraka) resolves at once; its clients check every `250`.
   */
  confirmAccepted(count: number): Promise<void>;
  /** Everything the server wrote so far, for error messages ("" when not captured). */
  output(): string;
  stop(): Promise<void>;
}

/** Connection limits high enough for c=500 and 1,000 idle connections from 127.0.0.1. */
export const RAISED_CONNECTION_LIMITS = {
  TOLLGATE_MAX_CONNECTIONS: "2000",
  TOLLGATE_MAX_CONNECTIONS_PER_CLIENT: "2000",
};

/**
 * Tollgate with the bench user, accepting messages up to 26 MiB; `env` adds settings,
 * `runtimeFlags` replaces the runtime flags of `deno task start` (then `name` tells it apart).
 */
export async function startTollgateServer(
  options: { env?: Record<string, string>; runtimeFlags?: string[]; name?: ServerName } = {},
): Promise<BenchServer> {
  const tollgate = await startTollgate({
    env: { TOLLGATE_DATABYTES: String(26 * 1024 * 1024), ...options.env },
    ...(options.runtimeFlags ? { runtimeFlags: options.runtimeFlags } : {}),
  });
  try {
    await addLocalUser(tollgate, BENCH_USER);
  } catch (error) {
    await tollgate.stop();
    throw error;
  }
  return {
    name: options.name ?? "Tollgate",
    port: tollgate.smtpPort,
    pid: tollgate.pid,
    async confirmAccepted(count) {
      const queued = (await listQueue(tollgate)).length;
      if (queued !== count) {
        throw new Error(`Tollgate queued ${queued} messages; its clients got 250 for ${count}`);
      }
    },
    output: () => tollgate.output(),
    stop: () => tollgate.stop(),
  };
}

/** nodemailer's smtp-server on Node.js (`bench/smtp_server_peer.mjs`), as shipped or without its delay. */
export async function startSmtpServer(greetingDelay: boolean): Promise<BenchServer> {
  const peer = await startPeer({ greetingDelay });
  return {
    name: greetingDelay ? "smtp-server (as shipped)" : "smtp-server (no greeting delay)",
    port: peer.port,
    pid: peer.pid,
    confirmAccepted: () => Promise.resolve(),
    output: () => "",
    stop: () => peer.stop(),
  };
}

const SINK_COUNT_TIMEOUT_MS = 5_000;

/** Postfix's `smtp-sink` (C, discards): the practical ceiling. */
export async function startSinkServer(): Promise<BenchServer> {
  const sink = await startSmtpSink();
  return {
    name: "Postfix smtp-sink",
    port: sink.port,
    async confirmAccepted(count) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`smtp-sink counted fewer than ${count}`)),
          SINK_COUNT_TIMEOUT_MS,
        );
      });
      try {
        const counted = await Promise.race([
          sink.counters((now) => now.messages >= count),
          timeout,
        ]);
        if (counted.messages !== count) {
          throw new Error(`smtp-sink counted ${counted.messages} messages, expected ${count}`);
        }
      } finally {
        clearTimeout(timer);
      }
    },
    output: () => "",
    stop: () => sink.stop(),
  };
}

const FLOOR_SCRIPT = new URL("./deno_floor_peer.ts", import.meta.url).pathname;
const FLOOR_READY = /deno floor listening on 127\.0\.0\.1:(\d+)/;

/** `bench/deno_floor_peer.ts`: a bare Deno line server, the floor under Tollgate's memory. */
export async function startDenoFloor(mode: "readable" | "read-4k"): Promise<BenchServer> {
  const floor = await startScript(FLOOR_SCRIPT, { args: [mode], ready: FLOOR_READY });
  return {
    name: mode === "readable"
      ? "bare Deno server, conn.readable"
      : "bare Deno server, conn.read into 4 KiB",
    port: floor.port,
    pid: floor.pid,
    confirmAccepted: () => Promise.resolve(),
    output: floor.output,
    stop: floor.stop,
  };
}

/** Adds a server's output to an error raised while it was under load. */
export function withServerOutput(server: BenchServer, error: unknown): Error {
  const output = server.output();
  return output === "" ? new Error(String(error), { cause: error }) : new Error(
    `${error}\n${server.name}'s output:\n${output}`,
    { cause: error },
  );
}

/**
 * Starts servers one after another, runs `work` against all of them at once, and always
 * stops every server that started.
 */
export async function withServers<T>(
  starts: (() => Promise<BenchServer>)[],
  work: (servers: BenchServer[]) => Promise<T>,
): Promise<T> {
  const servers: BenchServer[] = [];
  try {
    for (const start of starts) servers.push(await start());
    return await work(servers);
  } catch (error) {
    const outputs = servers.filter((server) => server.output() !== "")
      .map((server) => `\n${server.name}'s output:\n${server.output()}`);
    throw new Error(`${error}${outputs.join("")}`, { cause: error });
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** Starts a server, runs `work` against it, and always stops it. */
export async function withServer<T>(
  start: () => Promise<BenchServer>,
  work: (server: BenchServer) => Promise<T>,
): Promise<T> {
  const server = await start();
  try {
    return await work(server);
  } catch (error) {
    throw withServerOutput(server, error);
  } finally {
    await server.stop();
  }
}
