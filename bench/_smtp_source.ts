/**
 * Postfix's `smtp-source` load generator: installs it when missing and times one run.
 *
 * @module
 */

/** Where Debian's postfix package puts the load generator. */
export const SMTP_SOURCE = "/usr/sbin/smtp-source";

/** How long one run may take unless the caller says otherwise. */
const DEFAULT_TIMEOUT_MS = 300_000;

/** What one `smtp-source` run sends. */
export interface SourceLoad {
  /** `-m`: messages in total. */
  messages: number;
  /** `-s`: parallel SMTP sessions. */
  sessions: number;
  /** `-l`: payload bytes per message (headers not included). */
  payloadBytes: number;
  /** `-d`: keep each connection open for the next message instead of one per connection. */
  reuseConnections: boolean;
  /** `-f` and `-t`: envelope sender and recipient. */
  sender: string;
  recipient: string;
}

/** The outcome of one run. */
export interface SourceRun {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
}

/**
 * Installs Debian's postfix (which ships `smtp-source`) unless it is already there.
 * Postfix is preseeded to "No configuration" so nothing listens on port 25.
 */
export async function ensureSmtpSource(): Promise<void> {
  if (await isFile(SMTP_SOURCE)) return;
  console.log(`${SMTP_SOURCE} is missing: installing postfix (apt-get)`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await run("sh", {
    args: [
      "-c",
      "echo 'postfix postfix/main_mailer_type select No configuration' | " +
      "debconf-set-selections",
    ],
    env,
  });
  await run("apt-get", { args: ["update", "-qq"], env });
  await run("apt-get", { args: ["install", "-y", "-qq", "postfix"], env });
  if (!await isFile(SMTP_SOURCE)) {
    throw new Error(`Cannot find ${SMTP_SOURCE} after installing postfix`);
  }
}

/**
 * Runs `smtp-source` against `127.0.0.1:<port>` and times it. Throws with
 * smtp-source's output if it exits non-zero (any unexpected reply aborts it), or once
 * `timeoutMs` has passed (the run is then killed).
 */
export async function runSmtpSource(
  port: number,
  load: SourceLoad,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<SourceRun> {
  // No `-c`: its counter, printed after every message, would wake this process as often.
  const args = [
    "-l",
    String(load.payloadBytes),
    "-m",
    String(load.messages),
    "-s",
    String(load.sessions),
    "-f",
    load.sender,
    "-t",
    load.recipient,
    "-M",
    "bench.test",
    ...(load.reuseConnections ? ["-d"] : []),
    `127.0.0.1:${port}`,
  ];
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  const output = await new Deno.Command(SMTP_SOURCE, {
    args,
    stdin: "null",
    stdout: "null",
    signal,
  })
    .output();
  const seconds = (performance.now() - started) / 1000;
  if (signal.aborted) {
    throw new Error(`smtp-source ${args.join(" ")} timed out after ${timeoutMs / 1000} s`);
  }
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr);
    throw new Error(`smtp-source ${args.join(" ")} failed (${output.code}):\n${text}`);
  }
  return { messages: load.messages, seconds, messagesPerSecond: load.messages / seconds };
}

/**
 * Spreads one load over several listeners (the nodes of a cluster): one `smtp-source` per
 * port, all at once, with the sessions and messages split as evenly as they go (the first
 * ports take any remainder). One port is a plain {@linkcode runSmtpSource}.
 *
 * @example
 * ```ts ignore
 * import { runSmtpSourceSpread } from "./_smtp_source.ts";
 * const load = {
 *   messages: 1000, sessions: 20, payloadBytes: 1024, reuseConnections: false,
 *   sender: "a@example.net", recipient: "b@example.org",
 * };
 * const runs = await runSmtpSourceSpread([2525, 2526], load); // two runs of c=10, 500 each
 * console.log(runs.length); // 2
 * ```
 */
export async function runSmtpSourceSpread(
  ports: number[],
  load: SourceLoad,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<SourceRun[]> {
  const share = (total: number, index: number) =>
    Math.floor(total / ports.length) + (index < total % ports.length ? 1 : 0);
  return await Promise.all(ports.map((port, index) =>
    runSmtpSource(port, {
      ...load,
      messages: share(load.messages, index),
      sessions: Math.max(1, share(load.sessions, index)),
    }, timeoutMs)
  ));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function run(command: string, options: { args: string[]; env: Record<string, string> }) {
  const status = await new Deno.Command(command, { ...options, stdin: "null" }).spawn().status;
  if (!status.success) throw new Error(`${command} ${options.args.join(" ")} failed`);
}
