/**
 * Outbound SMTP: delivering messages to a relay or MX host over one
 * connection, and testing a route's settings step by step. The protocol is
 * in `smtp/client_session.ts`; this file connects, secures and reports.
 *
 * @module
 */
import { ClientSession } from "../../smtp/client_session.ts";
import { DEFAULT_CLIENT_TIMEOUTS } from "../../smtp/client_types.ts";
import { describeTls, type DriverHooks, driveSession } from "../../delivery/_client_driver.ts";
import type {
  OutboundMessage,
  OutboundTarget,
  RecipientOutcome,
} from "../../delivery/outbound_types.ts";
import { OutboundConnection } from "./outbound_connection.ts";

/** One step of {@linkcode probeRoute}. */
export interface ProbeStep {
  /** `connect`, `tls`, `greeting`, `ehlo`, `helo`, `starttls`, `auth`, and last `result`. */
  step: string;
  /** Whether it worked. */
  ok: boolean;
  /** What happened; never a password. */
  detail: string;
}

/**
 * Connects, negotiates (STARTTLS, AUTH) and delivers each message over the
 * one connection. Never throws: a connection, TLS or AUTH failure yields
 * `temporary` for every recipient not yet done, with the reason. For
 * `opportunistic` TLS a failed handshake is retried once without STARTTLS.
 *
 * @returns Per message, per recipient, in the order given.
 *
 * @example
 * ```ts ignore
 * const [[outcome]] = await deliverOverSmtp(
 *   { host: "mail.provider.example", port: 587, tls: "starttls", ehloName: "mail.example.net",
 *     auth: { username: "trottel", password: "ich" } },
 *   [{ from: "a@example.net", to: ["b@example.org"], size: 5, body: async function* () {
 *     yield new TextEncoder().encode("Hi!\r\n");
 *   } }],
 * );
 * console.log(outcome.status); // "delivered"
 * ```
 */
export async function deliverOverSmtp(
  target: OutboundTarget,
  messages: OutboundMessage[],
): Promise<RecipientOutcome[][]> {
  const results: (RecipientOutcome[] | undefined)[] = messages.map((m) =>
    m.to.length === 0 ? [] : undefined
  );
  let attempt = await deliverOnce(target, messages, results, false);
  // The handshake comes before any message, so nothing was delivered on the first attempt.
  if (attempt.tlsFailed && target.tls === "opportunistic") {
    attempt = await deliverOnce(target, messages, results, true);
  }
  const reason = attempt.failure ?? "the session ended before this message was sent";
  return results.map((result, i) =>
    result ?? messages[i].to.map((address) => ({ address, status: "temporary", reply: reason }))
  );
}

async function deliverOnce(
  target: OutboundTarget,
  messages: OutboundMessage[],
  results: (RecipientOutcome[] | undefined)[],
  skipStartTls: boolean,
): Promise<{ failure?: string; tlsFailed: boolean }> {
  const opened = await open(target);
  if (opened.kind === "failed") return { failure: opened.reason, tlsFailed: opened.tlsFailed };
  let failure: string | undefined;
  let current = -1;
  const nextIndex = () => results.findIndex((result, i) => result === undefined && i > current);
  const session = createSession(target, opened.connection, skipStartTls);
  if (session.kind === "failed") return { failure: session.reason, tlsFailed: false };
  const hooks: DriverHooks = {
    ready(now) {
      current = nextIndex();
      if (current < 0) return session.session.quit(now);
      const { from, to, size } = messages[current];
      return session.session.send({ from, to, size }, now);
    },
    body: () => messages[current].body(),
    done: (outcomes) => void (results[current] = outcomes),
    progress: () => {},
    failed: (reason) => void (failure = reason),
  };
  const { tlsFailed } = await driveSession(opened.connection, session.session, {
    hooks,
    tls: tlsOptions(target),
    now: Date.now,
  });
  return { failure, tlsFailed };
}

/**
 * Tests a route now: connects, negotiates TLS, tries the credentials (no
 * mail is sent) and reports each step; the last step, `result`, says whether
 * delivery would work with these settings.
 *
 * @example
 * ```ts ignore
 * const { steps } = await probeRoute({
 *   host: "mail.provider.example", port: 587, tls: "starttls", ehloName: "mail.example.net",
 *   auth: { username: "trottel", password: "ich" },
 * });
 * for (const s of steps) console.log(s.ok ? "ok  " : "FAIL", s.step, s.detail);
 * ```
 */
export async function probeRoute(target: OutboundTarget): Promise<{ steps: ProbeStep[] }> {
  const steps: ProbeStep[] = [];
  const finish = (ok: boolean, detail: string) => {
    steps.push({ step: "result", ok, detail });
    return { steps };
  };
  const opened = await open(target, steps);
  if (opened.kind === "failed") return finish(false, opened.reason);
  const session = createSession(target, opened.connection, false);
  if (session.kind === "failed") return finish(false, session.reason);
  let failure: string | undefined;
  await driveSession(opened.connection, session.session, {
    hooks: {
      ready: (now) => session.session.quit(now),
      body: () => ({ async *[Symbol.asyncIterator]() {} }),
      done: () => {},
      progress: (step, ok, detail) => void steps.push({ step, ok, detail }),
      failed: (reason) => void (failure = reason),
    },
    tls: tlsOptions(target),
    now: Date.now,
  });
  if (failure !== undefined) return finish(false, failure);
  return finish(
    true,
    target.auth ? "the relay accepts these settings and credentials" : "the relay accepts these " +
      "settings (no credentials set, so AUTH was not tried)",
  );
}

type Opened =
  | { kind: "open"; connection: OutboundConnection }
  | { kind: "failed"; reason: string; tlsFailed: boolean };

/** Connects (and, for implicit TLS, handshakes), recording steps if asked. */
async function open(target: OutboundTarget, steps?: ProbeStep[]): Promise<Opened> {
  const timeouts = { ...DEFAULT_CLIENT_TIMEOUTS, ...target.timeouts };
  let connection: OutboundConnection;
  try {
    connection = await OutboundConnection.open(target.host, target.port, timeouts.connect);
  } catch (error) {
    const reason = `cannot connect to ${target.host}:${target.port}: ${message(error)}`;
    steps?.push({ step: "connect", ok: false, detail: reason });
    return { kind: "failed", reason, tlsFailed: false };
  }
  steps?.push({
    step: "connect",
    ok: true,
    detail: `connected to ${target.host}:${target.port} (${connection.remoteAddress})`,
  });
  if (target.tls !== "implicit") return { kind: "open", connection };
  try {
    const info = await connection.startTls({ ...tlsOptions(target), timeoutMs: timeouts.command });
    steps?.push({ step: "tls", ok: true, detail: describeTls(info) });
    return { kind: "open", connection };
  } catch (error) {
    connection.close();
    const reason = `TLS handshake with ${target.host}:${target.port} failed: ${message(error)}`;
    steps?.push({ step: "tls", ok: false, detail: message(error) });
    return { kind: "failed", reason, tlsFailed: true };
  }
}

function createSession(
  target: OutboundTarget,
  connection: OutboundConnection,
  skipStartTls: boolean,
): { kind: "session"; session: ClientSession } | { kind: "failed"; reason: string } {
  try {
    if (target.oauth) {
      throw new TypeError("Cannot authenticate: no OAuth 2.0 token (withOAuthTokens)");
    }
    return {
      kind: "session",
      session: new ClientSession({
        ehloName: target.ehloName,
        tls: target.tls,
        peerIsLoopback: isLoopback(connection.remoteAddress),
        ...(target.auth ? { auth: target.auth } : {}),
        ...(skipStartTls ? { skipStartTls } : {}),
        ...(target.timeouts ? { timeouts: target.timeouts } : {}),
      }),
    };
  } catch (error) {
    connection.close();
    return { kind: "failed", reason: message(error) };
  }
}

function tlsOptions(target: OutboundTarget) {
  return {
    servername: target.servername ?? target.host,
    // Only MX delivery is opportunistic: any certificate beats plain text there.
    verify: target.tls !== "opportunistic",
    ...(target.caCertificates ? { caCertificates: target.caCertificates } : {}),
  };
}

/** Whether an IP address is on loopback (127.0.0.0/8, ::1, or 127.x mapped into IPv6). */
function isLoopback(address: string): boolean {
  return /^(?:::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address) || address === "::1";
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
