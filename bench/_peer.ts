/**
 * Starts a benchmark peer script as a child process and waits for the line
 * that says where it listens: nodemailer's smtp-server on Node.js
 * (`bench/smtp_server_peer.mjs`) or the bare Deno floor
 * (`bench/deno_floor_peer.ts`).
 *
 * @module
 */

const READY_TIMEOUT_MS = 20_000;
const REPO_ROOT = new URL("../", import.meta.url);
const SMTP_SERVER_SCRIPT = new URL("./smtp_server_peer.mjs", import.meta.url).pathname;
const SMTP_SERVER_READY = /smtp-server listening on 127\.0\.0\.1:(\d+)/;

/** A running peer. */
export interface RunningPeer {
  port: number;
  pid: number;
  /** What it printed while starting. */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Runs `deno run -A <script> <args>` (or `node <script> <args>` from the repository root)
 * and resolves once it prints a line matching `ready`.
 */
export async function startScript(
  script: string,
  options: { args: string[]; ready: RegExp; runtime?: "deno" | "node" },
): Promise<RunningPeer> {
  const onNode = options.runtime === "node";
  const child = new Deno.Command(onNode ? "node" : Deno.execPath(), {
    args: [...(onNode ? [] : ["run", "-A"]), script, ...options.args],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => child.kill("SIGKILL"), READY_TIMEOUT_MS);
  let seen = "";
  let match: RegExpExecArray | null = null;
  while (match === null) {
    const { value, done } = await lines.read();
    if (done) {
      clearTimeout(timer);
      await child.status;
      throw new Error(`Cannot start ${script}; it printed:\n${seen}`);
    }
    seen += value;
    match = options.ready.exec(seen);
  }
  clearTimeout(timer);
  const drained = (async () => {
    while (!(await lines.read()).done);
  })();
  return {
    port: Number(match[1]),
    pid: child.pid,
    output: () => seen,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
    },
  };
}

/**
 * Makes sure `node_modules/` holds the npm packages of deno.json (Node resolves
 * `smtp-server` there), with `deno install`.
 */
async function ensureNodeModules(): Promise<void> {
  const installed = await Deno.stat(new URL("node_modules/smtp-server/package.json", REPO_ROOT))
    .then(() => true, () => false);
  if (installed) return;
  const output = await new Deno.Command(Deno.execPath(), { args: ["install"], cwd: REPO_ROOT })
    .output();
  if (!output.success) {
    throw new Error(`deno install failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
}

/**
 * Starts nodemailer's smtp-server on Node.js: as shipped or without its 100 ms greeting
 * delay, optionally with TLS, optionally requiring AUTH for one user (constant-time check),
 * optionally noting when each message arrived.
 */
export async function startPeer(options: {
  greetingDelay: boolean;
  /** Offer STARTTLS with this certificate, or with `secure` speak TLS from the first byte. */
  tls?: { certPath: string; keyPath: string; secure: boolean };
  /** Accept only this user (PLAIN and LOGIN in the clear), checked in constant time. */
  auth?: { user: string; password: string };
  /** Append `<id> <epoch ms>` to this file for each message with an `X-Bench-Id` header. */
  arrivals?: string;
}): Promise<RunningPeer> {
  const { tls, auth } = options;
  await ensureNodeModules();
  return await startScript(SMTP_SERVER_SCRIPT, {
    runtime: "node",
    args: [
      ...(options.greetingDelay ? [] : ["--no-greeting-delay"]),
      ...(tls ? ["--tls", tls.certPath, tls.keyPath, ...(tls.secure ? ["--secure"] : [])] : []),
      ...(auth ? ["--auth", auth.user, auth.password] : []),
      ...(options.arrivals ? ["--arrivals", options.arrivals] : []),
    ],
    ready: SMTP_SERVER_READY,
  });
}
