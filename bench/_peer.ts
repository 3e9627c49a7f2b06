/**
 * Starts `bench/smtp_server_peer.ts` (nodemailer's smtp-server) as a child process.
 *
 * @module
 */

const PEER_SCRIPT = new URL("./smtp_server_peer.ts", import.meta.url);
const READY = /smtp-server listening on 127\.0\.0\.1:(\d+)/;
const READY_TIMEOUT_MS = 20_000;

/** A running peer. */
export interface RunningPeer {
  port: number;
  pid: number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts the peer, as shipped or without its 100 ms greeting delay, optionally with TLS. */
export async function startPeer(options: {
  greetingDelay: boolean;
  /** Offer STARTTLS with this certificate, or with `secure` speak TLS from the first byte. */
  tls?: { certPath: string; keyPath: string; secure: boolean };
}): Promise<RunningPeer> {
  const tls = options.tls;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      PEER_SCRIPT.pathname,
      ...(options.greetingDelay ? [] : ["--no-greeting-delay"]),
      ...(tls ? ["--tls", tls.certPath, tls.keyPath, ...(tls.secure ? ["--secure"] : [])] : []),
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => child.kill("SIGKILL"), READY_TIMEOUT_MS);
  let seen = "";
  let port: number | undefined;
  while (port === undefined) {
    const { value, done } = await lines.read();
    if (done) {
      clearTimeout(timer);
      await child.status;
      throw new Error(`Cannot start smtp-server peer; it printed:\n${seen}`);
    }
    seen += value;
    const match = READY.exec(seen);
    if (match) port = Number(match[1]);
  }
  clearTimeout(timer);
  const drained = (async () => {
    while (!(await lines.read()).done);
  })();
  return {
    port,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
    },
  };
}
