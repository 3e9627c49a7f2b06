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

const COUNTERS = /sess=(\d+) quit=\d+ mesg=(\d+)/g;

/** A free port on 127.0.0.1 (smtp-sink cannot report the one the kernel picks). */
function freePort(): number {
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

/**
 * Starts `smtp-sink -c [flags] 127.0.0.1:<port> 256`. `flags` are smtp-sink's
 * own (`-f EHLO`, `-r RCPT`, `-b "451 ..."`). As root it runs as `nobody`.
 */
export async function startSmtpSink(
  options: { flags?: string[]; dump?: boolean } = {},
): Promise<RunningSink> {
  const dumpDir = options.dump ? await Deno.makeTempDir({ prefix: "tollgate-sink-" }) : undefined;
  if (dumpDir) await Deno.chmod(dumpDir, 0o777); // written by "nobody"
  const port = freePort();
  const args = [
    "-c",
    ...(Deno.uid() === 0 ? ["-u", "nobody"] : []),
    ...(dumpDir ? ["-d", `${dumpDir}/message.`] : []),
    ...(options.flags ?? []),
    `127.0.0.1:${port}`,
    "256",
  ];
  const child = new Deno.Command(SMTP_SINK, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  })
    .spawn();
  let exited = false;
  child.status.then(() => exited = true);
  // Drained all the time: a full pipe would block smtp-sink itself.
  let latest: SinkCounters = { sessions: 0, messages: 0 };
  let changed = () => {};
  let ended = false;
  const drained = (async () => {
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      for (const match of text.matchAll(COUNTERS)) {
        latest = { sessions: Number(match[1]), messages: Number(match[2]) };
      }
      changed();
    }
    ended = true;
    changed();
  })();
  try {
    await waitUntilListening(port, () => exited);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    await drained;
    throw error;
  }
  // The probe connection above counts as a session; counters are reported relative to it.
  const baseline = { sessions: 1, messages: 0 };
  return {
    port,
    async counters(done) {
      for (;;) {
        const relative = {
          sessions: latest.sessions - baseline.sessions,
          messages: latest.messages - baseline.messages,
        };
        if (relative.sessions >= 0 && done(relative)) return relative;
        if (ended) throw new Error("smtp-sink exited before its counters matched");
        await new Promise<void>((resolve) => changed = resolve);
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
      await drained;
      if (dumpDir) await Deno.remove(dumpDir, { recursive: true });
    },
  };
}
