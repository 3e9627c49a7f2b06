/**
 * Drives one {@linkcode ServerSession} over one accepted connection: moves
 * the bytes, answers the session's requests from the stores and the
 * verifier, and spools message bodies.
 *
 * @module
 */
import type { Credentials, CredentialVerifier } from "../auth/credentials.ts";
import { failureLogLine } from "../auth/failure_log.ts";
import type { LoginGate } from "../auth/login_limiter.ts";
import type { ByteStream, Peer } from "./types.ts";
import type { InputWaiter, ReadDeadlines, WaitExpiry } from "./read_deadlines.ts";
import type { ClientCheckQueue } from "./client_check_queue.ts";
import { checkSender } from "../relay/sender_policy.ts";
import { checkRecipient } from "../relay/recipient_check.ts";
import type { ServerSession } from "../smtp/server_session.ts";
import type { SessionAction, TlsInfo } from "../smtp/server_types.ts";
import type { Stores } from "../store/types.ts";
import { SpoolSlot } from "./spool_slot.ts";
import type { TollgateMetrics } from "./metrics/tollgate_metrics.ts";

export type { Peer };

/**
 * What a connection needs besides its session.
 *
 * @example
 * ```ts
 * import type { ConnectionDeps } from "@tollgate/tollgate/server";
 * const some: Pick<ConnectionDeps, "idleTimeoutMs" | "implicitTls" | "log"> = {
 *   idleTimeoutMs: 300_000, implicitTls: true, log: (line) => console.log(line),
 * };
 * some.log(`idle after ${some.idleTimeoutMs} ms`); // "idle after 300000 ms"
 * ```
 */
export interface ConnectionDeps {
  /** Domains, users, networks and the queue. */
  stores: Stores;
  /** Checks AUTH credentials. */
  verifier: CredentialVerifier;
  /** Counts failed logins per client, account and overall; bans and slows guessers. */
  limiter: LoginGate;
  /** Lets each client run only a few credential checks at once; the rest wait their turn. */
  checks: ClientCheckQueue;
  /** How long a silent client is kept before `421`. */
  idleTimeoutMs: number;
  /** The clock (ms since epoch): session deadlines, login counting, log times. */
  now: () => number;
  /** One line per event; never given a secret. */
  log: (line: string) => void;
  /** The deadlines of waits for input, all ended at shutdown (idle sessions then get `421`). */
  reads: ReadDeadlines;
  /** Makes a session: at the start, and again inside TLS after STARTTLS (`tls` set). */
  newSession: (peer: Peer, tls: TlsInfo | undefined) => ServerSession;
  /** The TLS handshake (server side); absent when no certificate is configured. */
  upgrade?: (stream: ByteStream) => Promise<{ stream: ByteStream; tls: TlsInfo }>;
  /** Implicit TLS (RFC 8314, port 465): the handshake comes before the greeting. */
  implicitTls?: boolean;
  /** Counts replies, AUTH attempts, bans, queued messages and TLS sessions; default none. */
  metrics?: TollgateMetrics;
  /** The listener's name in metrics (`smtp`, `submission`, `submissions`); default `smtp`. */
  listenerName?: string;
}

/** Each reply's final line: `250 ok`, not `250-PIPELINING`. */
const REPLY_END = /^([2-5])\d\d(?: |\r?$)/gm;

const encoder = new TextEncoder();
const SHUTDOWN_REPLY = encoder.encode("421 4.3.2 shutting down, try again later\r\n");

/**
 * Runs the session until it closes or the connection ends. Never rejects:
 * a failing connection ends itself and nothing else.
 *
 * @example
 * ```ts ignore
 * const conn = await listener.accept();
 * // `deps` is made once per listener; only the peer is made per connection.
 * await serveConnection(tcpByteStream(conn), deps, {
 *   clientAddress: "192.0.2.1",
 *   peer: "192.0.2.1:4000",
 * });
 * ```
 */
export function serveConnection(
  stream: ByteStream,
  deps: ConnectionDeps,
  peer: Peer,
): Promise<void> {
  return new Promise((resolve) => startConnection(stream, deps, peer, () => resolve()));
}

/**
 * {@linkcode serveConnection} for a listener: calls `ended` with `peer` once
 * the connection is closed, instead of settling a promise. With one `ended`
 * for all its connections, a listener keeps no promise and no callback for
 * each of them (thousands may sit idle).
 *
 * @example
 * ```ts ignore
 * let open = 0;
 * const ended = (peer: Peer) => { open--; console.log(`${peer.peer} closed`); };
 * const conn = await listener.accept();
 * open++;
 * startConnection(tcpByteStream(conn), deps, { clientAddress: "192.0.2.1", peer: "192.0.2.1:4000" }, ended);
 * ```
 */
export function startConnection(
  stream: ByteStream,
  deps: ConnectionDeps,
  peer: Peer,
  ended: (peer: Peer) => void,
): void {
  new ConnectionRun(stream, deps, peer, ended).begin();
}

/** What one turn of a session handles: a new session, input, or why its wait ended. */
type TurnEvent =
  | "greet"
  | "resume"
  | Uint8Array
  | null
  | WaitExpiry
  | { readFailed: unknown };

/**
 * One connection's sessions (a second one inside TLS after STARTTLS), in
 * turns: a turn handles one event and ends by waiting for input or by
 * ending the session. Between turns nothing is suspended but the stream's
 * read: an idle connection then holds this object, its session and the read,
 * not a chain of async frames and the promises between them (1.7 KB less
 * heap per idle connection, `docs/performance.md`). A class rather than
 * closures for the same reason.
 */
class ConnectionRun implements InputWaiter {
  /** When the current wait for input times out. */
  deadline = 0;
  #stream: ByteStream;
  #tls: TlsInfo | undefined;
  #session: ServerSession | undefined;
  /** The session's progress when `deadline` was last set. */
  #progress = Number.NaN;
  readonly #deps: ConnectionDeps;
  readonly #peer: Peer;
  readonly #spool: SpoolSlot;
  readonly #ended: (peer: Peer) => void;
  #output = "";
  #startTls = false;
  // Made once: every read of the connection is answered through them.
  readonly #onInput = (chunk: Uint8Array | null) => {
    if (this.#deps.reads.release(this)) this.#turn(chunk);
  };
  readonly #onReadFailed = (error: unknown) => {
    if (this.#deps.reads.release(this)) this.#turn({ readFailed: error });
  };

  constructor(
    stream: ByteStream,
    deps: ConnectionDeps,
    peer: Peer,
    ended: (peer: Peer) => void,
  ) {
    this.#stream = stream;
    this.#deps = deps;
    this.#peer = peer;
    this.#ended = ended;
    this.#spool = new SpoolSlot(deps, peer);
  }

  /** Greets, after the TLS handshake for implicit TLS. */
  begin(): void {
    if (this.#deps.implicitTls) this.#upgrade("greet");
    else this.#startSession("greet");
  }

  /** Called by the read deadlines: the client was silent too long, or the server stops. */
  expire(reason: WaitExpiry): void {
    this.#turn(reason);
  }

  #startSession(start: "greet" | "resume"): void {
    try {
      this.#session = this.#deps.newSession(this.#peer, this.#tls);
    } catch (error) {
      this.#deps.log(
        `smtp ${this.#peer.peer} error ${error instanceof Error ? error.message : error}`,
      );
      return this.#close();
    }
    this.#progress = Number.NaN;
    this.#turn(start);
  }

  /** Handles `event`, then waits for input or ends the session. Never rejects. */
  async #turn(event: TurnEvent): Promise<void> {
    const session = this.#session!;
    try {
      if (event === "greet") await this.#run(session, session.start());
      else if (event === "timeout") await this.#run(session, session.timedOut());
      else if (event === "shutdown") await this.#stream.write(SHUTDOWN_REPLY);
      else if (event instanceof Uint8Array) {
        await this.#run(session, session.receive(event, this.#deps.now()));
      } else if (event !== null && event !== "resume") throw event.readFailed;
      await this.#flush();
      const waitAgain = event !== null && event !== "timeout" && event !== "shutdown";
      if (waitAgain && !session.closed) {
        // The deadline moves only when a command completes or DATA arrives, so a
        // client trickling a byte at a time cannot hold the session (slowloris).
        if (session.progress !== this.#progress) {
          this.#progress = session.progress;
          this.deadline = this.#deps.now() + this.#deps.idleTimeoutMs;
        }
        this.#wait();
        return;
      }
    } catch (error) {
      if (!isHangup(error)) {
        const reason = error instanceof Error ? error.message : error;
        this.#deps.log(`smtp ${this.#peer.peer} error ${reason}`);
      }
      this.#startTls = false;
    }
    await this.#run(session, session.connectionLost()).catch(() => {});
    await this.#spool.abort();
    if (this.#startTls) this.#upgrade("resume");
    else this.#close();
  }

  #wait(): void {
    const watch = this.#deps.reads.watch(this);
    if (watch !== "watching") return void this.#turn(watch);
    try {
      this.#stream.read().then(this.#onInput, this.#onReadFailed);
    } catch (error) {
      // A stream whose read throws instead of rejecting ends the same way.
      this.#onReadFailed(error);
    }
  }

  /** The TLS handshake, then a new session inside it. */
  async #upgrade(start: "greet" | "resume"): Promise<void> {
    this.#startTls = false;
    this.#output = "";
    try {
      if (!this.#deps.upgrade) {
        throw new TypeError("Cannot serve implicit TLS without a certificate");
      }
      ({ stream: this.#stream, tls: this.#tls } = await this.#deps.upgrade(this.#stream));
    } catch (error) {
      this.#deps.log(
        `smtp ${this.#peer.peer} tls failed: ${error instanceof Error ? error.message : error}`,
      );
      this.#close();
      return;
    }
    this.#deps.metrics?.tlsSession(this.#deps.listenerName ?? "smtp", this.#tls!.protocol);
    this.#startSession(start);
  }

  #countReplies(text: string): void {
    const metrics = this.#deps.metrics;
    if (!metrics) return;
    for (const match of text.matchAll(REPLY_END)) {
      metrics.reply(this.#deps.listenerName ?? "smtp", Number(match[1]) * 100);
    }
  }

  #close(): void {
    this.#stream.close();
    this.#ended(this.#peer);
  }

  async #flush(): Promise<void> {
    if (this.#output === "") return;
    const bytes = encoder.encode(this.#output);
    this.#output = "";
    await this.#stream.write(bytes);
  }

  async #run(session: ServerSession, actions: SessionAction[]): Promise<void> {
    let next: SessionAction[] | undefined = actions;
    while (next) next = await this.#perform(session, next);
  }

  /** Performs actions; returns the session's follow-up to an answered request. */
  async #perform(
    session: ServerSession,
    actions: SessionAction[],
  ): Promise<SessionAction[] | undefined> {
    for (const action of actions) {
      switch (action.kind) {
        case "send":
          this.#output += action.text;
          this.#countReplies(action.text);
          break;
        case "wait":
          await this.#flush();
          await new Promise((resolve) => setTimeout(resolve, action.ms));
          break;
        case "close":
          await this.#flush();
          return undefined;
        case "start-tls":
          await this.#flush();
          this.#startTls = true;
          return undefined;
        case "verify-credentials":
          return await verifyCredentials(action.credentials, session, this.#deps, this.#peer);
        case "check-sender": {
          const verdict = await checkSender(action, this.#deps.stores);
          return session.senderChecked(verdict, this.#deps.now());
        }
        case "check-recipient": {
          const verdict = await checkRecipient({
            recipient: action.recipient,
            clientAddress: this.#peer.clientAddress,
            ...(action.authenticatedUser ? { authenticatedUser: action.authenticatedUser } : {}),
          }, this.#deps.stores);
          return session.recipientChecked(verdict, this.#deps.now());
        }
        case "message-begin":
          await this.#spool.begin();
          break;
        case "message-data":
          await this.#spool.write(action.bytes);
          break;
        case "message-abort":
          await this.#spool.abort();
          break;
        case "message-end":
          await this.#flush();
          return session.messageStored(await this.#spool.commit(action.envelope), this.#deps.now());
      }
    }
    return undefined;
  }
}

/** Checks credentials through the login limiter: bans, growing delays, fail2ban lines. */
async function verifyCredentials(
  credentials: Credentials,
  session: ServerSession,
  deps: ConnectionDeps,
  peer: Peer,
): Promise<SessionAction[]> {
  const { limiter } = deps;
  const { clientAddress } = peer;
  const { metrics, now: clock } = deps;
  if ((await limiter.admit(clientAddress, clock())).kind === "banned") {
    metrics?.auth(credentials.mechanism, "locked-out");
    return session.credentialsVerified({ kind: "locked-out" }, clock());
  }
  const verify = () => deps.verifier.verify(credentials);
  const result = await deps.checks.run(clientAddress, verify).catch((error) => ({
    kind: "temporary-failure" as const,
    reason: `verifier failed: ${error instanceof Error ? error.message : error}`,
  }));
  if (result.kind === "temporary-failure") {
    deps.log(`smtp ${peer.peer} auth ${credentials.mechanism} temporary failure: ${result.reason}`);
    metrics?.auth(credentials.mechanism, "temporary-failure");
    return session.credentialsVerified(result, clock());
  }
  const now = clock();
  const outcome = await limiter.record(
    clientAddress,
    credentials.username,
    result.kind === "accepted",
    now,
  );
  metrics?.auth(credentials.mechanism, result.kind === "accepted" ? "accepted" : "rejected");
  if (outcome.banned && result.kind !== "accepted") metrics?.ban();
  if (result.kind === "accepted") {
    deps.log(`smtp ${peer.peer} auth ${credentials.mechanism} ok user=${result.user}`);
    return session.credentialsVerified(result, now);
  }
  deps.log(
    failureLogLine({ ...credentials, clientAddress, time: now }),
  );
  if (outcome.banned) return session.credentialsVerified({ kind: "locked-out" }, now);
  return session.credentialsVerified(result, now, { failureDelayMs: outcome.delayMs });
}

/**
 * Whether an error only says the client went away: Deno's `ConnectionReset`
 * and `BrokenPipe` (matched by name, so this file needs no runtime types),
 * or Node's `ECONNRESET` and `EPIPE`. Those end a connection without a log line.
 */
function isHangup(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return error.name === "ConnectionReset" || error.name === "BrokenPipe" ||
    code === "ECONNRESET" || code === "EPIPE";
}
