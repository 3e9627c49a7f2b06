/**
 * Starts a private PostgreSQL (Debian's `postgresql` package) for tests: `initdb` into a
 * temporary folder, the server on 127.0.0.1 at a free port (PostgreSQL cannot take port 0, so a
 * port the kernel just handed out is used, and start-up is retried on a clash), trust
 * authentication for one superuser, and everything removed on `stop()`.
 *
 * Run as root, the server runs as the `postgres` OS user (PostgreSQL refuses root). Missing
 * binaries fail the test with the package to install; nothing is skipped.
 *
 * @module
 */

/** A running PostgreSQL. */
export interface RunningPostgres {
  /** `postgres://tollgate@127.0.0.1:<port>/tollgate` (trust authentication). */
  url: string;
  /** The TCP port on 127.0.0.1. */
  port: number;
  /** Runs SQL through `psql` as the superuser (in `database`, default `tollgate`). */
  psql(sql: string, database?: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its folder; later calls wait for the first. */
  stop(): Promise<void>;
}

const BIN_ROOT = "/usr/lib/postgresql";
const START_ATTEMPTS = 3;

async function findBinDir(): Promise<string> {
  const fromEnv = Deno.env.get("TOLLGATE_TEST_PG_BIN");
  if (fromEnv) return fromEnv;
  const versions: number[] = [];
  try {
    for await (const entry of Deno.readDir(BIN_ROOT)) {
      if (/^\d+$/.test(entry.name)) versions.push(Number(entry.name));
    }
  } catch {
    // No PostgreSQL at all: reported below.
  }
  for (const version of versions.sort((a, b) => b - a)) {
    const dir = `${BIN_ROOT}/${version}/bin`;
    if ((await Deno.stat(`${dir}/initdb`).catch(() => undefined))?.isFile) return dir;
  }
  throw new Error(
    `Cannot start PostgreSQL: no ${BIN_ROOT}/<version>/bin/initdb ` +
      "(apt-get install postgresql, or set TOLLGATE_TEST_PG_BIN)",
  );
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Runs a PostgreSQL program, as the `postgres` user when we are root. */
async function run(program: string, args: string[]): Promise<string> {
  const asRoot = Deno.uid() === 0;
  const command = asRoot
    ? new Deno.Command("runuser", { args: ["-u", "postgres", "--", program, ...args] })
    : new Deno.Command(program, { args });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  if (code !== 0) {
    throw new Error(
      `${program.split("/").pop()} failed (${code}): ${decoder.decode(stderr)}${
        decoder.decode(stdout)
      }`,
    );
  }
  return decoder.decode(stdout);
}

/** initdb, then `pg_ctl start -w` on a free port; the caller stops it. */
export async function startPostgres(): Promise<RunningPostgres> {
  const bin = await findBinDir();
  const dir = await Deno.makeTempDir({ prefix: "tollgate-pg-" });
  if (Deno.uid() === 0) {
    const ids = await new Deno.Command("id", { args: ["-u", "postgres"] }).output();
    const gids = await new Deno.Command("id", { args: ["-g", "postgres"] }).output();
    if (ids.code !== 0) {
      throw new Error("Cannot start PostgreSQL as root: no `postgres` OS user to run it as");
    }
    const decoder = new TextDecoder();
    await Deno.chown(dir, Number(decoder.decode(ids.stdout)), Number(decoder.decode(gids.stdout)));
  }
  const data = `${dir}/data`;
  await run(`${bin}/initdb`, [
    "-D",
    data,
    "-U",
    "tollgate",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C.UTF-8",
    "--no-sync",
  ]);
  let port = 0;
  for (let attempt = 1;; attempt++) {
    port = freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200`;
    try {
      await run(`${bin}/pg_ctl`, ["-D", data, "-l", `${dir}/log`, "-o", options, "-w", "start"]);
      break;
    } catch (error) {
      const log = await Deno.readTextFile(`${dir}/log`).catch(() => "");
      if (attempt >= START_ATTEMPTS) {
        await Deno.remove(dir, { recursive: true });
        throw new Error(`Cannot start PostgreSQL on port ${port}: ${error}\n${log}`);
      }
    }
  }
  const psql = (sql: string, database = "tollgate") =>
    run(`${bin}/psql`, [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-U",
      "tollgate",
      "-d",
      database,
      "-v",
      "ON_ERROR_STOP=1",
      "-A",
      "-t",
      "-c",
      sql,
    ]);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        await run(`${bin}/pg_ctl`, ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    })();
  try {
    await psql("CREATE DATABASE tollgate", "postgres");
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://tollgate@127.0.0.1:${port}/tollgate`, port, psql, stop };
}
