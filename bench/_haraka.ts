/**
 * Haraka (npm `Haraka`, run by Node) as a discarding peer: installed once into a cache
 * folder, configured in a temporary folder with one plugin that skips the reverse DNS
 * lookup, accepts every recipient and discards every message, listening on 127.0.0.1
 * with a kernel-chosen port.
 *
 * @module
 */

import type { BenchServer } from "./_servers.ts";

/** The Haraka release the numbers are for. */
export const HARAKA_VERSION = "3.3.4";

/** Where Haraka is, or why it cannot run here. */
export type HarakaInstall =
  | { ok: true; binary: string }
  | { ok: false; reason: string };

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const INSTALL_TIMEOUT_MS = 300_000;
const KEPT_OUTPUT = 8192;
// The rDNS hook answers at once: by default Haraka asks the system resolver for every
// client's name, which would send a query off this machine per connection (smtp-server
// runs with disableReverseLookup for the same reason).
const ACCEPT_ALL_PLUGIN = `// Accept every recipient, discard every message (Tollgate's benchmark).
exports.hook_lookup_rdns = function (next) { next(OK, "localhost"); };
exports.hook_rcpt = function (next) { next(OK); };
exports.hook_queue = function (next) { next(OK); };
`;

function cacheFolder(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${base}/tollgate-bench/haraka-${HARAKA_VERSION}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Installs Haraka with npm into the cache folder unless it is there already (no optional
 * plugins, no install scripts: the benchmark needs neither). Never throws for a missing
 * `node`/`npm` or a failed install: it says why instead, and the bench reports it.
 */
export async function ensureHaraka(): Promise<HarakaInstall> {
  const folder = cacheFolder();
  const binary = `${folder}/node_modules/Haraka/bin/haraka`;
  if (await exists(binary)) return { ok: true, binary };
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(`${folder}/package.json`, '{ "private": true }\n');
  console.log(`Installing Haraka ${HARAKA_VERSION} with npm into ${folder}`);
  const args = [
    "install",
    "--omit=optional",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    `Haraka@${HARAKA_VERSION}`,
  ];
  try {
    const output = await new Deno.Command("npm", {
      args,
      cwd: folder,
      stdin: "null",
      signal: AbortSignal.timeout(INSTALL_TIMEOUT_MS),
    }).output();
    if (!output.success) {
      const text = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" ");
      return { ok: false, reason: `npm install Haraka@${HARAKA_VERSION} failed: ${text}` };
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { ok: false, reason: "npm is not installed" };
    return { ok: false, reason: `npm install Haraka@${HARAKA_VERSION}: ${error}` };
  }
  return await exists(binary)
    ? { ok: true, binary }
    : { ok: false, reason: `npm installed no ${binary}` };
}

async function writeConfig(binary: string, folder: string, processes: 1 | 2): Promise<void> {
  await Deno.mkdir(`${folder}/config`, { recursive: true });
  await Deno.mkdir(`${folder}/plugins`, { recursive: true });
  // Haraka's own defaults (greeting text, limits); it does not start a session without them.
  const shipped = new URL("../config/connection.ini", `file://${binary}`);
  await Deno.copyFile(shipped, `${folder}/config/connection.ini`);
  // nodes=0: no cluster, one process; nodes=2: a primary handing connections to 2 workers.
  const nodes = processes === 1 ? 0 : 2;
  await Deno.writeTextFile(
    `${folder}/config/smtp.ini`,
    `[main]\nlisten=127.0.0.1:0\nnodes=${nodes}\nforce_shutdown_timeout=2\n`,
  );
  await Deno.writeTextFile(`${folder}/config/plugins`, "accept_all\n");
  await Deno.writeTextFile(`${folder}/config/log.ini`, "[main]\nlevel=notice\n");
  await Deno.writeTextFile(`${folder}/config/me`, "haraka.test\n");
  await Deno.writeTextFile(`${folder}/plugins/accept_all.js`, ACCEPT_ALL_PLUGIN);
}

/** Starts Haraka as one process or as a cluster of two workers. */
export async function startHaraka(
  binary: string,
  options: { processes: 1 | 2 },
): Promise<BenchServer> {
  const folder = await Deno.makeTempDir({ prefix: "tollgate-bench-haraka-" });
  await writeConfig(binary, folder, options.processes);
  const child = new Deno.Command("node", {
    args: [binary, "-c", folder],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let captured = "";
  let port: number | undefined;
  let onOutput = () => {};
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      // Haraka logs a line per connection: once it is up, keep only the tail for errors.
      captured = port === undefined ? captured + text : (captured + text).slice(-KEPT_OUTPUT);
      onOutput();
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  let exited = false;
  const status = child.status.then(async (result) => {
    exited = true;
    await drained;
    onOutput();
    return result;
  });
  const stop = async () => {
    const lingering = setTimeout(() => exited || child.kill("SIGKILL"), STOP_GRACE_MS);
    if (!exited) child.kill("SIGTERM");
    await status;
    clearTimeout(lingering);
    await Deno.remove(folder, { recursive: true });
  };
  const ready = options.processes === 1
    ? /\[server\] Listening on 127\.0\.0\.1:(\d+)/g
    : /worker \d+ listening on 127\.0\.0\.1:(\d+)/g;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => check(true), READY_TIMEOUT_MS);
      const check = (timedOut = false) => {
        const ports = [...captured.matchAll(ready)].map((match) => Number(match[1]));
        if (ports.length >= options.processes) {
          clearTimeout(timer);
          resolve(ports[0]);
        } else if (exited || timedOut) {
          clearTimeout(timer);
          reject(new Error(`Cannot start Haraka (exited: ${exited}); it printed:\n${captured}`));
        }
      };
      onOutput = check;
      check();
    });
    return {
      name: options.processes === 1 ? "Haraka (1 process)" : "Haraka (2 processes)",
      port,
      ...(options.processes === 1 ? { pid: child.pid } : {}),
      confirmAccepted: () => Promise.resolve(),
      output: () => captured,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
