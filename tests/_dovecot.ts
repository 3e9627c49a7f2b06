/**
 * Starts a real Dovecot (Debian's `dovecot-core`) for tests: its own config,
 * `base_dir` and log under a temporary folder, no mail protocols, only the
 * auth service with its `auth-client` UNIX socket and an `inet_listener` on
 * 127.0.0.1 at a port the kernel picked.
 *
 * @module
 */

/** Which password database the instance uses. */
export type DovecotPassdb =
  | { kind: "passwd-file"; lines: string[] }
  | { kind: "checkpassword"; program: string };

/** A running Dovecot. */
export interface RunningDovecot {
  /** The auth-client UNIX socket. */
  socketPath: string;
  /** The auth service's TCP port on 127.0.0.1. */
  port: number;
  /** Dovecot's log so far. */
  log(): Promise<string>;
  /** Stops Dovecot and removes its folder; later calls wait for the first. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

const DOVECOT = "/usr/sbin/dovecot";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function passdbBlock(dir: string, passdb: DovecotPassdb): string {
  return passdb.kind === "passwd-file"
    ? `passdb {\n  driver = passwd-file\n  args = scheme=CRYPT ${dir}/passwd\n}`
    : `passdb {\n  driver = checkpassword\n  args = ${passdb.program}\n}`;
}

/**
 * Writes the config and runs `dovecot -F` until `stop()`. The auth service
 * runs as root so a checkpassword program can read the test's files, and without
 * an address-space limit so that program can be Deno.
 */
export async function startDovecot(passdb: DovecotPassdb): Promise<RunningDovecot> {
  if (!(await Deno.stat(DOVECOT).catch(() => undefined))?.isFile) {
    throw new Error(`Cannot start Dovecot: ${DOVECOT} is missing (apt-get install dovecot-core)`);
  }
  const dir = await Deno.makeTempDir({ prefix: "tollgate-dovecot-" });
  await Deno.chmod(dir, 0o755);
  const port = freePort();
  if (passdb.kind === "passwd-file") {
    await Deno.writeTextFile(`${dir}/passwd`, passdb.lines.join("\n") + "\n", { mode: 0o644 });
  }
  const config = [
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `instance_name = tollgate-test-${port}`,
    `log_path = ${dir}/dovecot.log`,
    "protocols =",
    "listen = 127.0.0.1",
    "ssl = no",
    "disable_plaintext_auth = no",
    "auth_mechanisms = plain login",
    "auth_failure_delay = 0",
    "auth_verbose = yes",
    passdbBlock(dir, passdb),
    "userdb {\n  driver = static\n  args = uid=nobody gid=nogroup home=/nonexistent\n}",
    "service auth {",
    "  user = root",
    // Deno (V8) reserves more address space than Dovecot's default 256 MiB.
    "  vsz_limit = 0",
    "  unix_listener auth-client {\n    mode = 0600\n  }",
    `  inet_listener auth-inet {\n    address = 127.0.0.1\n    port = ${port}\n  }`,
    "}",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/dovecot.conf`, config + "\n");
  const child = new Deno.Command(DOVECOT, {
    args: ["-F", "-c", `${dir}/dovecot.conf`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const readLog = () => Deno.readTextFile(`${dir}/dovecot.log`).catch(() => "");
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      await child.status;
      await stderr;
      await Deno.remove(dir, { recursive: true });
    })();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (true) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (Date.now() > deadline) {
        const output = `${await readLog()}${await stopAndRead(stop, stderr)}`;
        throw new Error(`Cannot start Dovecot on port ${port}:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { socketPath: `${dir}/run/auth-client`, port, log: readLog, stop };
}

async function stopAndRead(stop: () => Promise<void>, stderr: Promise<string>): Promise<string> {
  await stop();
  return await stderr;
}
