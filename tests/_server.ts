/**
 * Starts the real Tollgate server (`runtime/deno/main.ts` with the flags and permissions of
 * `deno task start`) as a child process for integration tests and the benchmark: loopback
 * only, ports picked by the kernel, a fresh data directory unless one is given.
 *
 * @module
 */

const REPO_ROOT = new URL("../", import.meta.url);
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 10_000;
const SMTP_READY = /smtp listening on 127\.0\.0\.1:(\d+)/;
const ADMIN_READY = /admin listening on (http:\/\/127\.0\.0\.1:\d+)/;
const SUBMISSION_READY = /submission listening on 127\.0\.0\.1:(\d+)/;
const SUBMISSIONS_READY = /submissions listening on 127\.0\.0\.1:(\d+)/;

/** How to start the server. */
export interface StartOptions {
  /** Extra or overriding environment variables (`TOLLGATE_*`). */
  env?: Record<string, string>;
  /** Use this data directory (kept on stop); otherwise a temporary one is made and removed. */
  dataDir?: string;
  /** Deno's flags other than permissions; defaults to those of `deno task start`. */
  runtimeFlags?: string[];
}

/**
 * The flags of a `deno task` (deno.json) before its script, split into its permissions and
 * the rest (such as `start`'s V8 flags). Tests and benchmarks run Tollgate's entry points with
 * exactly these, as its users do: a feature that needs a permission the task lacks fails its
 * tests.
 *
 * @example
 * ```ts
 * import { taskFlags } from "./_server.ts";
 * const { permissions, runtime } = taskFlags("start");
 * console.log(permissions.includes("--allow-net"), runtime.some((f) => f.startsWith("--v8-flags="))); // true true
 * ```
 */
export function taskFlags(task: "start" | "checkpassword"): {
  permissions: string[];
  runtime: string[];
} {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", REPO_ROOT)));
  const words = String(config.tasks[task]).split(/\s+/);
  const flags = words.slice(words.indexOf("run") + 1, words.findIndex((w) => w.endsWith(".ts")));
  return {
    permissions: flags.filter((flag) => flag.startsWith("--allow-")),
    runtime: flags.filter((flag) => !flag.startsWith("--allow-")),
  };
}

/** A running server process and the ways to talk to it. */
export interface RunningTollgate {
  /** The loopback port of the SMTP listener. */
  smtpPort: number;
  /** The loopback port of the submission listener (AUTH required), unless turned off. */
  submissionPort?: number;
  /** The loopback port of the implicit-TLS listener, when a certificate is configured. */
  submissionsPort?: number;
  /** The admin API's base URL, `http://127.0.0.1:<port>`. */
  adminUrl: string;
  /** The admin bearer token the server was started with. */
  token: string;
  /** The data directory (KV database) the server uses. */
  dataDir: string;
  /** The child's process id (for `/proc/<pid>/status`). */
  pid: number;
  /** Calls the admin API with the bearer token; `body` is sent as JSON. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** Sends a signal and waits for the process to exit; the data directory is kept. */
  kill(signal: Deno.Signal): Promise<Deno.CommandStatus>;
  /** Stops the server (SIGTERM, SIGKILL if it lingers) and removes a temporary data dir. */
  stop(): Promise<void>;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
}

/**
 * Spawns `deno run <deno task start's flags> runtime/deno/main.ts` from the repository root and waits until both
 * listeners report their ports. Throws with the captured output if the server exits or
 * stays silent for 20 s. Always pair with `stop()` in a `finally`.
 *
 * @example
 * ```ts
 * import { startTollgate } from "./_server.ts";
 * const tollgate = await startTollgate();
 * try {
 *   const response = await tollgate.admin("PUT", "/api/domains/example.net");
 *   console.log(response.status);
 * } finally {
 *   await tollgate.stop();
 * }
 * ```
 */
export async function startTollgate(options: StartOptions = {}): Promise<RunningTollgate> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "tollgate-test-" });
  const token = randomToken();
  const start = taskFlags("start");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...start.permissions,
      ...(options.runtimeFlags ?? start.runtime),
      "runtime/deno/main.ts",
    ],
    cwd: REPO_ROOT,
    env: {
      NO_COLOR: "1",
      TOLLGATE_SMTP: "127.0.0.1:0",
      TOLLGATE_ADMIN: "127.0.0.1:0",
      TOLLGATE_SUBMISSION: "127.0.0.1:0",
      ...(options.env?.TOLLGATE_TLS_CERT ? { TOLLGATE_SUBMISSIONS: "127.0.0.1:0" } : {}),
      TOLLGATE_DATA: dataDir,
      TOLLGATE_ADMIN_TOKEN: token,
      TOLLGATE_HOSTNAME: "mail.domain.de",
      TOLLGATE_AUTH_FAILURE_DELAY_MS: "300",
      // Hold the queue unless a test is about delivery, and never ask a real resolver.
      TOLLGATE_DELIVERY: "off",
      TOLLGATE_DNS: "127.0.0.1:1",
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let captured = "";
  let onOutput = () => {};
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      captured += text;
      onOutput();
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  let exited: Deno.CommandStatus | undefined;
  const status = child.status.then(async (result) => {
    exited = result;
    await drained;
    onOutput();
    return result;
  });

  type Ports = {
    smtpPort: number;
    adminUrl: string;
    submissionPort?: number;
    submissionsPort?: number;
  };
  const ports = await new Promise<Ports>((resolve, reject) => {
    const timer = setTimeout(() => check(true), READY_TIMEOUT_MS);
    const check = (timedOut = false) => {
      const smtp = SMTP_READY.exec(captured);
      const admin = ADMIN_READY.exec(captured);
      if (smtp && admin) {
        clearTimeout(timer);
        // Ready: stop scanning, or every later log line would rescan all output so far.
        onOutput = () => {};
        const submission = SUBMISSION_READY.exec(captured);
        const submissions = SUBMISSIONS_READY.exec(captured);
        resolve({
          smtpPort: Number(smtp[1]),
          adminUrl: admin[1],
          ...(submission ? { submissionPort: Number(submission[1]) } : {}),
          ...(submissions ? { submissionsPort: Number(submissions[1]) } : {}),
        });
      } else if (exited || timedOut) {
        clearTimeout(timer);
        const why = exited
          ? `exited with code ${exited.code}`
          : `printed no ready lines within ${READY_TIMEOUT_MS} ms`;
        reject(new Error(`Cannot start Tollgate: the server ${why}. Output:\n${captured}`));
      }
    };
    onOutput = check;
    check();
  }).catch(async (error) => {
    if (!exited) child.kill("SIGKILL");
    await status;
    if (ownsDataDir) await Deno.remove(dataDir, { recursive: true });
    throw error;
  });

  const kill = async (signal: Deno.Signal) => {
    if (!exited) child.kill(signal);
    return await status;
  };

  return {
    ...ports,
    token,
    dataDir,
    pid: child.pid,
    admin(method, path, body) {
      const headers = new Headers({ authorization: `Bearer ${token}` });
      if (body !== undefined) headers.set("content-type", "application/json");
      return fetch(new URL(path, ports.adminUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    kill,
    async stop() {
      const lingering = setTimeout(() => exited || child.kill("SIGKILL"), STOP_GRACE_MS);
      await kill("SIGTERM");
      clearTimeout(lingering);
      if (ownsDataDir) await Deno.remove(dataDir, { recursive: true });
    },
    output: () => captured,
  };
}

/**
 * Calls the admin API and throws unless it answers with a 2xx status.
 *
 * @example
 * ```ts
 * import { adminOk, startTollgate } from "./_server.ts";
 * const tollgate = await startTollgate();
 * try {
 *   const user = { password: "testing" };
 *   await adminOk(tollgate, { method: "PUT", path: "/api/users/test@domain.de", body: user });
 * } finally {
 *   await tollgate.stop();
 * }
 * ```
 */
export async function adminOk(
  tollgate: RunningTollgate,
  request: { method: string; path: string; body?: unknown },
): Promise<unknown> {
  const response = await tollgate.admin(request.method, request.path, request.body);
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${request.method} ${request.path} answered ${response.status}: ${text}`);
  }
  return text === "" ? undefined : JSON.parse(text);
}

/**
 * Makes the address's domain local and creates the user with this password.
 *
 * @example
 * ```ts
 * import { addLocalUser, startTollgate } from "./_server.ts";
 * const tollgate = await startTollgate();
 * try {
 *   await addLocalUser(tollgate, { address: "test@domain.de", password: "testing" });
 * } finally {
 *   await tollgate.stop();
 * }
 * ```
 */
export async function addLocalUser(
  tollgate: RunningTollgate,
  user: { address: string; password: string },
): Promise<void> {
  const domain = user.address.slice(user.address.lastIndexOf("@") + 1);
  await adminOk(tollgate, { method: "PUT", path: `/api/domains/${domain}` });
  const body = { password: user.password };
  await adminOk(tollgate, { method: "PUT", path: `/api/users/${user.address}`, body });
}

/**
 * Lets a user send as other addresses (`a@b`) or a whole domain (`@b`): the
 * sender-login check otherwise allows only its own address.
 */
export async function allowSender(
  tollgate: RunningTollgate,
  grant: { user: string; sender: string },
): Promise<void> {
  const body = { sender: grant.sender };
  await adminOk(tollgate, { method: "POST", path: `/api/users/${grant.user}/senders`, body });
}

/** One queued message as `GET /api/queue` lists it. */
export interface QueuedEnvelope {
  id: string;
  from: string;
  to: string[];
  /** The authenticated user, or null for an unauthenticated client. */
  authUser: string | null;
  clientAddress: string;
  helo: string;
  /** ISO 8601 time of the final `250`. */
  receivedAt: string;
  size: number;
}

/**
 * Every queued message, following `cursor` across pages of `GET /api/queue`.
 *
 * @example
 * ```ts
 * import { listQueue, startTollgate } from "./_server.ts";
 * const tollgate = await startTollgate();
 * try {
 *   console.log((await listQueue(tollgate)).length); // 0
 * } finally {
 *   await tollgate.stop();
 * }
 * ```
 */
export async function listQueue(tollgate: RunningTollgate): Promise<QueuedEnvelope[]> {
  const messages: QueuedEnvelope[] = [];
  let path = "/api/queue?limit=1000";
  while (true) {
    const page = await adminOk(tollgate, { method: "GET", path }) as {
      messages: QueuedEnvelope[];
      cursor?: string;
    };
    messages.push(...page.messages);
    if (!page.cursor) return messages;
    path = `/api/queue?limit=1000&cursor=${encodeURIComponent(page.cursor)}`;
  }
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
