/**
 * Drives one {@linkcode ServerSession} over one accepted connection: moves
 * the bytes, answers the session's requests from the stores and the
 * verifier, and spools message bodies.
 *
 * @module
 */
import type { Credentials, CredentialVerifier } from "../auth/credentials.ts";
import { failureLogLine } from "../auth/failure_log.ts";
import type { LoginLimiter } from "../auth/login_limiter.ts";
import type { ByteStream } from "./byte_stream.ts";
import type { ReadDeadlines } from "./read_deadlines.ts";
import type { ClientCheckQueue } from "./client_check_queue.ts";
import { checkSender } from "../relay/sender_policy.ts";
import { checkRecipient } from "../relay/recipient_check.ts";
import type { ServerSession } from "../smtp/server_session.ts";
import type { SessionAction, StoreResult, TlsInfo } from "../smtp/server_types.ts";
import type { Envelope, SpoolWriter, Stores } from "../store/types.ts";

/** What a connection needs besides its session. */
export interface ConnectionDeps {
  /** Domains, users, networks and the queue. */
  stores: Stores;
  /** Checks AUTH credentials. */
  verifier: CredentialVerifier;
  /** Counts failed logins per client, account and overall; bans and slows guessers. */
  limiter: LoginLimiter;
  /** Lets each client run only a few credential checks at once; the rest wait their turn. */
  checks: ClientCheckQueue;
  /** How long a silent client is kept before `421`. */
  idleTimeoutMs: number;
  /** One line per event; never given a secret. */
  log: (line: string) => void;
  /** The server's reads: each ends at its deadline, and all at shutdown (idle sessions then get `421`). */
  reads: ReadDeadlines;
  /** Makes a session: at the start, and again inside TLS after STARTTLS (`tls` set). */
  newSession: (tls: TlsInfo | undefined) => ServerSession;
  /** The TLS handshake (server side); absent when no certificate is configured. */
  upgrade?: (stream: ByteStream) => Promise<{ stream: ByteStream; tls: TlsInfo }>;
  /** Implicit TLS (RFC 8314, port 465): the handshake comes before the greeting. */
  implicitTls?: boolean;
}

/** Who is on the other end of one connection. */
export interface Peer {
  /** The client's IP address, as relay checks and Received headers want it. */
  clientAddress: string;
  /** `address:port`, to tell connections apart in the log. */
  peer: string;
}

const encoder = new TextEncoder();
/** How SQLite (Deno KV) and the OS say the disk is full. */
const DISK_FULL = /disk is full|no space left|ENOSPC|quota/i;
const SHUTDOWN_REPLY = encoder.encode("421 4.3.2 shutting down, try again later\r\n");

/**
 * Runs the session until it closes or the connection ends. Never throws:
 * a failing connection ends itself and nothing else.
 *
 * @example
 * ```ts ignore
 * const conn = await listener.accept();
 * await serveConnection(tcpByteStream(conn), {
 *   ...deps, newSession: (tls) => new ServerSession({ ...options, tls }),
 *   clientAddress: "192.0.2.1", peer: "192.0.2.1:4000",
 * });
 * ```
 */
export async function serveConnection(
  stream: ByteStream,
  deps: ConnectionDeps & Peer,
): Promise<void> {
  let current = stream;
  let tls: TlsInfo | undefined;
  let greet = true;
  try {
    if (deps.implicitTls) {
      if (!deps.upgrade) throw new TypeError("Cannot serve implicit TLS without a certificate");
      ({ stream: current, tls } = await deps.upgrade(current));
    }
    while (await runSession(current, deps.newSession(tls), { ...deps, greet }) === "start-tls") {
      ({ stream: current, tls } = await deps.upgrade!(current));
      greet = false;
    }
  } catch (error) {
    deps.log(`smtp ${deps.peer} tls failed: ${error instanceof Error ? error.message : error}`);
  } finally {
    current.close();
  }
}

/**
 * Runs one session over one stream until it closes (`"closed"`) or asks for
 * TLS (`"start-tls"`: the stream is left open, unread, for the upgrade).
 */
async function runSession(
  stream: ByteStream,
  session: ServerSession,
  deps: ConnectionDeps & Peer & { greet: boolean },
): Promise<"closed" | "start-tls"> {
  const spool = new SpoolSlot(deps);
  let output = "";
  let startTls = false;
  const flush = async () => {
    if (output === "") return;
    const bytes = encoder.encode(output);
    output = "";
    await stream.write(bytes);
  };

  /** Performs actions; returns the session's follow-up to an answered request. */
  const perform = async (actions: SessionAction[]): Promise<SessionAction[] | undefined> => {
    for (const action of actions) {
      switch (action.kind) {
        case "send":
          output += action.text;
          break;
        case "wait":
          await flush();
          await new Promise((resolve) => setTimeout(resolve, action.ms));
          break;
        case "close":
          await flush();
          return undefined;
        case "start-tls":
          await flush();
          startTls = true;
          return undefined;
        case "verify-credentials":
          return await verifyCredentials(action.credentials, session, deps);
        case "check-sender": {
          const verdict = await checkSender(action, deps.stores);
          return session.senderChecked(verdict, Date.now());
        }
        case "check-recipient": {
          const verdict = await checkRecipient({
            recipient: action.recipient,
            clientAddress: deps.clientAddress,
            ...(action.authenticatedUser ? { authenticatedUser: action.authenticatedUser } : {}),
          }, deps.stores);
          return session.recipientChecked(verdict, Date.now());
        }
        case "message-begin":
          await spool.begin();
          break;
        case "message-data":
          await spool.write(action.bytes);
          break;
        case "message-abort":
          await spool.abort();
          break;
        case "message-end":
          await flush();
          return session.messageStored(await spool.commit(action.envelope), Date.now());
      }
    }
    return undefined;
  };

  const run = async (actions: SessionAction[]) => {
    let next: SessionAction[] | undefined = actions;
    while (next) next = await perform(next);
  };

  try {
    if (deps.greet) await run(session.start());
    // The deadline moves only when a command completes or DATA arrives, so a
    // client trickling a byte at a time cannot hold the session (slowloris).
    let progress = session.progress;
    let deadline = Date.now() + deps.idleTimeoutMs;
    while (!session.closed) {
      await flush();
      if (session.progress !== progress) {
        progress = session.progress;
        deadline = Date.now() + deps.idleTimeoutMs;
      }
      const event = await deps.reads.read(stream, deadline);
      if (event === "timeout") await run(session.timedOut());
      else if (event === "shutdown") await stream.write(SHUTDOWN_REPLY);
      if (event === "timeout" || event === "shutdown" || event === null) break;
      await run(session.receive(event, Date.now()));
    }
    await flush();
  } catch (error) {
    if (
      !(error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe)
    ) {
      deps.log(`smtp ${deps.peer} error ${error instanceof Error ? error.message : error}`);
    }
    startTls = false;
  } finally {
    await run(session.connectionLost()).catch(() => {});
    await spool.abort();
  }
  return startTls ? "start-tls" : "closed";
}

/** Checks credentials through the login limiter: bans, growing delays, fail2ban lines. */
async function verifyCredentials(
  credentials: Credentials,
  session: ServerSession,
  deps: ConnectionDeps & Peer,
): Promise<SessionAction[]> {
  const { clientAddress, limiter } = deps;
  if (limiter.admit(clientAddress, Date.now()).kind === "banned") {
    return session.credentialsVerified({ kind: "locked-out" }, Date.now());
  }
  const verify = () => deps.verifier.verify(credentials);
  const result = await deps.checks.run(clientAddress, verify).catch((error) => ({
    kind: "temporary-failure" as const,
    reason: `verifier failed: ${error instanceof Error ? error.message : error}`,
  }));
  if (result.kind === "temporary-failure") {
    deps.log(`smtp ${deps.peer} auth ${credentials.mechanism} temporary failure: ${result.reason}`);
    return session.credentialsVerified(result, Date.now());
  }
  const now = Date.now();
  const outcome = limiter.record(
    clientAddress,
    credentials.username,
    result.kind === "accepted",
    now,
  );
  if (result.kind === "accepted") {
    deps.log(`smtp ${deps.peer} auth ${credentials.mechanism} ok user=${result.user}`);
    return session.credentialsVerified(result, now);
  }
  deps.log(
    failureLogLine({ ...credentials, clientAddress, time: now }),
  );
  if (outcome.banned) return session.credentialsVerified({ kind: "locked-out" }, now);
  return session.credentialsVerified(result, now, { failureDelayMs: outcome.delayMs });
}

/** The message being spooled, if any; a failure is remembered and answered at the end. */
class SpoolSlot {
  #writer: SpoolWriter | undefined;
  #failure: string | undefined;
  readonly #deps: ConnectionDeps & Peer;

  constructor(deps: ConnectionDeps & Peer) {
    this.#deps = deps;
  }

  async begin(): Promise<void> {
    this.#failure = undefined;
    try {
      this.#writer = await this.#deps.stores.queue.create();
    } catch (error) {
      this.#fail(error);
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#writer || this.#failure) return;
    try {
      await this.#writer.write(bytes);
    } catch (error) {
      this.#fail(error);
    }
  }

  async commit(envelope: Envelope): Promise<StoreResult> {
    const writer = this.#writer;
    this.#writer = undefined;
    if (!writer || this.#failure) {
      await writer?.abort().catch(() => {});
      return this.#failed("no spool");
    }
    try {
      const message = await writer.commit(envelope);
      this.#deps.log(
        `smtp ${this.#deps.peer} queued ${message.id} size=${message.size} ` +
          `rcpts=${message.to.length}${message.authUser ? ` auth=${message.authUser}` : ""}`,
      );
      return { kind: "stored", id: message.id };
    } catch (error) {
      this.#fail(error);
      await writer.abort().catch(() => {});
      return this.#failed("commit failed");
    }
  }

  async abort(): Promise<void> {
    const writer = this.#writer;
    this.#writer = undefined;
    await writer?.abort().catch(() => {});
  }

  #failed(fallback: string): StoreResult {
    const reason = this.#failure ?? fallback;
    return { kind: "failed", reason, storageFull: DISK_FULL.test(reason) };
  }

  #fail(error: unknown): void {
    this.#failure = error instanceof Error ? error.message : String(error);
    this.#deps.log(`smtp ${this.#deps.peer} spool error ${this.#failure}`);
  }
}
