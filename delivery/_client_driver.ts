/**
 * Drives one {@linkcode ClientSession} over one {@linkcode OutboundConnection}:
 * moves the bytes, performs the TLS upgrade, streams message bodies and
 * enforces the session's deadlines. The ~h11 "driver over real sockets".
 *
 * @module
 */
import type { ClientSession } from "../smtp/client_session.ts";
import type { ClientAction, RecipientOutcome } from "../smtp/client_types.ts";
import type { OutboundConnection } from "./client_connection.ts";
import type { TlsClientOptions, TlsSessionInfo } from "./client_connection.ts";

const IDLE_FALLBACK_MS = 300_000;

/** What the driver asks of its caller. */
export interface DriverHooks {
  /** The session is ready: the actions of `session.send(next)` or `session.quit()`. */
  ready(now: number): ClientAction[];
  /** The body of the message just sent. */
  body(): AsyncIterable<Uint8Array>;
  /** The message just sent is done. */
  done(outcomes: RecipientOutcome[]): void;
  /** A step of the negotiation, TLS included. */
  progress(step: string, ok: boolean, detail: string): void;
  /** The session failed; every message not done is temporary with this reason. */
  failed(reason: string): void;
}

/** How the driver secures the connection on `start-tls`. */
export type StartTlsOptions = Omit<TlsClientOptions, "timeoutMs">;

/** What happened, beyond the hooks: whether a TLS handshake failed (for a retry). */
export interface DriveResult {
  tlsFailed: boolean;
}

/** Runs the session to its end; never throws. Closes the connection. */
export async function driveSession(
  connection: OutboundConnection,
  session: ClientSession,
  options: { hooks: DriverHooks; tls: StartTlsOptions; now: () => number },
): Promise<DriveResult> {
  const { hooks, now } = options;
  const result: DriveResult = { tlsFailed: false };
  let output: Uint8Array[] = [];
  // A session waits for nothing only between actions; the fallback just avoids a busy loop.
  const remaining = () => (session.deadline ?? now() + IDLE_FALLBACK_MS) - now();

  /** Writes what the session queued; on failure the session hears why. */
  const flush = async (): Promise<ClientAction[]> => {
    if (output.length === 0) return [];
    const bytes = output.length === 1 ? output[0] : concat(output);
    output = [];
    try {
      if (await connection.write(bytes, remaining()) === "written") return [];
      return session.timedOut(Math.max(now(), session.deadline ?? 0));
    } catch (error) {
      return session.connectionLost(`connection lost: ${message(error)}`, now());
    }
  };

  const startTls = async (): Promise<ClientAction[]> => {
    let info: TlsSessionInfo;
    try {
      info = await connection.startTls({ ...options.tls, timeoutMs: remaining() });
    } catch (error) {
      result.tlsFailed = true;
      hooks.progress("tls", false, message(error));
      return session.tlsFailed(message(error), now());
    }
    hooks.progress("tls", true, describeTls(info));
    return session.tlsStarted(now());
  };

  const sendBody = async (): Promise<ClientAction[]> => {
    try {
      for await (const chunk of hooks.body()) {
        for (const action of session.bodyData(chunk, now())) {
          if (action.kind === "send") output.push(action.bytes);
        }
        const failure = await flush();
        if (failure.length > 0) return failure;
      }
    } catch (error) {
      return session.connectionLost(`cannot read the message body: ${message(error)}`, now());
    }
    return session.bodyEnd(now());
  };

  const perform = async (actions: ClientAction[]): Promise<void> => {
    const queue = [...actions];
    for (let action = queue.shift(); action; action = queue.shift()) {
      switch (action.kind) {
        case "send":
          output.push(action.bytes);
          break;
        case "start-tls":
          queue.push(...await flush(), ...(session.closed ? [] : await startTls()));
          break;
        case "progress":
          hooks.progress(action.step, action.ok, action.detail);
          break;
        case "ready":
          queue.push(...hooks.ready(now()));
          break;
        case "send-body":
          queue.push(...await flush(), ...(session.closed ? [] : await sendBody()));
          break;
        case "message-done":
          hooks.done(action.outcomes);
          break;
        case "failed":
          hooks.failed(action.reason);
          break;
        case "close":
          await flush();
          break;
      }
    }
  };

  try {
    await perform(session.start(now()));
    while (!session.closed) {
      await perform(await flush());
      if (session.closed) break;
      let read;
      try {
        read = await connection.read(remaining());
      } catch (error) {
        await perform(session.connectionLost(`connection lost: ${message(error)}`, now()));
        continue;
      }
      if (read === "timeout") {
        await perform(session.timedOut(Math.max(now(), session.deadline ?? 0)));
      } else if (read === "end") {
        await perform(session.connectionLost("the relay closed the connection", now()));
      } else {
        await perform(session.receive(read, now()));
      }
    }
  } catch (error) {
    hooks.failed(`internal error: ${message(error)}`);
  } finally {
    connection.close();
  }
  return result;
}

/** One line about a TLS session, for logs and the route test. */
export function describeTls(info: TlsSessionInfo): string {
  const who = info.subject ? ` for ${info.subject}` : "";
  const trust = info.verified
    ? `certificate${who} verified`
    : `certificate${who} not verified (${info.verifyError ?? "verification off"})`;
  return `${info.protocol} ${info.cipher}, ${trust}`;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
