/**
 * Postfix's `smtp-sink` test server as a relay for Tollgate's SMTP client:
 * on 127.0.0.1, optionally dumping every message to a directory and
 * reporting its session and message counters (`-c`).
 *
 * @module
 */

/** Where Debian's postfix package puts the test server. */
export const SMTP_SINK = "/usr/sbin/smtp-sink";

/** Session and message counts from `smtp-sink -c`. */
export interface SinkCounters {
  sessions: number;
  messages: number;
}

/** A running smtp-sink. */
export interface RunningSink {
  port: number;
  /** Waits until the counters satisfy `done`, then returns them. */
  counters(done: (counters: SinkCounters) => boolean): Promise<SinkCounters>;
  /** The dumped messages (with `dump: true`), sorted by content. */
  dumps(): Promise<string[]>;
  stop(): Promise<void>;
}

/** One counters record; smtp-sink ends each with a carriage return (a record without one is still being written). */
const COUNTERS = /sess=(\d+) quit=\d+ mesg=(\d+)\r/g;

/**
 * A free port on 127.0.0.1, for servers that cannot report the one the kernel picks
 * (smtp-sink, Postfix).
 *
 * @example
 * ```ts
 * import { freePort } from "./_smtp_sink.ts";
 * console.log(freePort() > 0); // true
 * ```
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Waits until something accepts connections on the port; throws once the process has exited. */
async function waitUntilListening(port: number, exited: () => boolean): Promise<void> {
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
      if (exited()) throw new Error(`${SMTP_SINK} exited before listening`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** How often {@linkcode RunningSink.counters} rereads the counters while it waits. */
const COUNTER_POLL_MS = 10;

/** The last counters smtp-sink wrote to `path` (it appends a line per event), or none yet. */
async function lastCounters(path: string): Promise<SinkCounters | undefined> {
  const file = await Deno.open(path);
  try {
    const { size } = await file.stat();
    const tail = new Uint8Array(Math.min(size, 256));
    await file.seek(size - tail.byteLength, Deno.SeekMode.Start);
    let read = 0;
    while (read < tail.byteLength) {
      const count = await file.read(tail.subarray(read));
      if (count === null) break;
      read += count;
    }
    const matches = [...new TextDecoder().decode(tail.subarray(0, read)).matchAll(COUNTERS)];
    const last = matches.at(-1);
    return last && { sessions: Number(last[1]), messages: Number(last[2]) };
  } finally {
    file.close();
  }
}

/**
 * Starts `smtp-sink -c [flags] 127.0.0.1:<port> 256`. `flags` are smtp-sink's
 * own (`-f EHLO`, `-r RCPT`, `-b "451 ..."`). As root it runs as `nobody`.
 * Its counters go to a file, not a pipe: it writes them at every session and
 * message, and a process reading them from a pipe as fast took half of
 * smtp-sink's rate away under `deno task bench`'s load.
 */
export async function startSmtpSink(
  options: { flags?: string[]; dump?: boolean } = {},
): Promise<RunningSink> {
  const workDir = await Deno.makeTempDir({ prefix: "tollgate-sink-" });
  await Deno.chmod(workDir, 0o777); // dumps are written by "nobody"
  const countersPath = `${workDir}/counters`;
  const dumpDir = options.dump ? `${workDir}/dumps` : undefined;
  if (dumpDir) {
    await Deno.mkdir(dumpDir);
    await Deno.chmod(dumpDir, 0o777);
  }
  const port = freePort();
  const args = [
    "-c",
    ...(Deno.uid() === 0 ? ["-u", "nobody"] : []),
    ...(dumpDir ? ["-d", `${dumpDir}/message.`] : []),
    ...(options.flags ?? []),
    `127.0.0.1:${port}`,
    "256",
  ];
  // The shell opens the counters file and then becomes smtp-sink (same pid).
  const child = new Deno.Command("sh", {
    args: ["-c", 'out="$1"; shift; exec "$@" > "$out"', "sh", countersPath, SMTP_SINK, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  })
    .spawn();
  let exited = false;
  child.status.then(() => exited = true);
  try {
    await waitUntilListening(port, () => exited);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    await Deno.remove(workDir, { recursive: true });
    throw error;
  }
  // The probe connection above counts as a session; counters are reported relative to it.
  const baseline = { sessions: 1, messages: 0 };
  return {
    port,
    async counters(done) {
      for (;;) {
        const latest = await lastCounters(countersPath) ?? { sessions: 0, messages: 0 };
        const relative = {
          sessions: latest.sessions - baseline.sessions,
          messages: latest.messages - baseline.messages,
        };
        if (relative.sessions >= 0 && done(relative)) return relative;
        if (exited) throw new Error("smtp-sink exited before its counters matched");
        await new Promise((resolve) => setTimeout(resolve, COUNTER_POLL_MS));
      }
    },
    async dumps() {
      if (!dumpDir) throw new TypeError("Cannot list dumps: smtp-sink was started without dump");
      const texts = [];
      for await (const entry of Deno.readDir(dumpDir)) {
        texts.push(await Deno.readTextFile(`${dumpDir}/${entry.name}`));
      }
      return texts.sort();
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(workDir, { recursive: true });
    },
  };
}
