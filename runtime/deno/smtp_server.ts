/**
 * An SMTP listener: accepts connections with `Deno.listen` and runs one
 * session per connection; one failing session never harms another. The same
 * listener serves port 25 style relay/MX service, RFC 6409 submission (AUTH
 * required) and RFC 8314 implicit TLS, depending on its mode.
 *
 * @module
 */
import { isAddressInNetworks } from "../../relay/networks.ts";
import { ServerSession } from "../../smtp/server_session.ts";
import type { TlsInfo } from "../../smtp/server_types.ts";
import type { Listener, ListenerOptions } from "../../server/platform.ts";
import { type ConnectionDeps, type Peer, startConnection } from "../../server/smtp_connection.ts";
import { ReadDeadlines } from "../../server/read_deadlines.ts";
import { tcpByteStream } from "./tcp_stream.ts";
import { type TlsCertificate, upgradeToTls } from "./tls_server.ts";

/**
 * How the SMTP server behaves: a listener's options and the certificate for
 * STARTTLS and implicit TLS (without it there is no TLS).
 */
export interface SmtpServerOptions extends ListenerOptions {
  /** The certificate for STARTTLS and implicit TLS; without it there is no TLS. */
  certificate?: TlsCertificate;
}

/** A running SMTP server. */
export type SmtpServer = Listener;

const LOOPBACK = ["127.0.0.0/8", "::1/128"];
const NO_MECHANISMS: readonly never[] = [];
const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/**
 * Starts listening and serving.
 *
 * @example
 * ```ts ignore
 * const server = startSmtpServer({ listen: { hostname: "127.0.0.1", port: 0 }, ...options });
 * console.log(server.address.port);
 * await server.shutdown();
 * ```
 */
export function startSmtpServer(options: SmtpServerOptions): SmtpServer {
  const mode = options.mode ?? "smtp";
  const { certificate } = options;
  if (mode === "submissions" && !certificate) {
    throw new TypeError("Cannot listen for implicit TLS without a certificate");
  }
  const listener = Deno.listen({ ...options.listen, transport: "tcp" });
  const perClient = new Map<string, number>();
  // Connections being served, and who waits for the last of them to end (shutdown).
  let open = 0;
  let drained: PromiseWithResolvers<void> | undefined;
  const metrics = options.metrics;
  const ended = ({ clientAddress }: Peer) => {
    open--;
    metrics?.connectionClosed(mode);
    const left = (perClient.get(clientAddress) ?? 1) - 1;
    if (left > 0) perClient.set(clientAddress, left);
    else perClient.delete(clientAddress);
    if (open === 0) drained?.resolve();
  };
  const reads = new ReadDeadlines({ tickMs: deadlineTick(options.idleTimeoutMs), now: Date.now });

  const newSession = ({ clientAddress }: Peer, tls: TlsInfo | undefined) => {
    const authAllowed = tls !== undefined || options.insecureAuth === "always" ||
      (options.insecureAuth === "loopback" && isAddressInNetworks(clientAddress, LOOPBACK));
    // One literal with every field, no spread: spreading into it would give each idle
    // connection's options a separate property store (~170 bytes).
    return new ServerSession({
      hostname: options.hostname,
      clientAddress,
      maxMessageBytes: options.maxMessageBytes,
      authMechanisms: authAllowed ? options.authMechanisms : NO_MECHANISMS,
      authNeedsEncryption: !authAllowed && options.authMechanisms.length > 0,
      authFailureDelayMs: options.authFailureDelayMs,
      randomBytes,
      startTls: certificate !== undefined && tls === undefined,
      requireAuth: mode !== "smtp",
      tls,
    });
  };

  // One set of dependencies for every connection: only the peer is made per connection.
  const deps: ConnectionDeps = {
    ...options,
    reads,
    newSession,
    ...(certificate ? { upgrade: (stream) => upgradeToTls(stream, certificate.context) } : {}),
    implicitTls: mode === "submissions",
    listenerName: mode,
  };

  let closing = false;
  const accepting = (async () => {
    while (true) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closing) return;
        // Out of file descriptors and the like: wait a moment, keep serving the rest.
        options.log(`smtp accept failed: ${error instanceof Error ? error.message : error}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const { hostname: clientAddress, port } = conn.remoteAddr;
      try {
        conn.setNoDelay(true); // without it, every TLS session stalls ~40 ms (Nagle)
      } catch {
        // The peer may already be gone; the session will notice.
      }
      const peer = clientAddress.includes(":")
        ? `[${clientAddress}]:${port}`
        : `${clientAddress}:${port}`;
      if ((await options.limiter.admit(clientAddress, options.now())).kind === "banned") {
        options.log(`smtp ${peer} refused: banned after failed logins`);
        metrics?.connectionRefused(mode, "banned");
        refuse(conn, BANNED);
        continue;
      }
      // Counted after the (possibly remote) ban check: connections that ended meanwhile
      // must not be counted again from a number read before it.
      const fromClient = perClient.get(clientAddress) ?? 0;
      if (
        open >= options.maxConnections || fromClient >= options.maxConnectionsPerClient
      ) {
        options.log(`smtp ${peer} refused: too many connections`);
        metrics?.connectionRefused(mode, "too-many-connections");
        refuse(conn, TOO_MANY_CONNECTIONS);
        continue;
      }
      perClient.set(clientAddress, fromClient + 1);
      open++;
      metrics?.connectionOpened(mode);
      startConnection(tcpByteStream(conn), deps, { clientAddress, peer }, ended);
    }
  })();

  const stop = async () => {
    closing = true;
    listener.close();
    await accepting;
    reads.shutdown();
    if (open > 0) await (drained ??= Promise.withResolvers()).promise;
  };
  let stopped: Promise<void> | undefined;
  return {
    address: { hostname: options.listen.hostname, port: listener.addr.port },
    // Every caller waits for the same stop.
    shutdown: () => stopped ??= stop(),
  };
}

/** How often idle deadlines are checked: a tenth of the timeout, between 10 ms and 1 s. */
function deadlineTick(idleTimeoutMs: number): number {
  return Math.min(1_000, Math.max(10, Math.floor(idleTimeoutMs / 10)));
}

const TOO_MANY_CONNECTIONS = new TextEncoder().encode(
  "421 4.7.0 too many connections, try again later\r\n",
);

const BANNED = new TextEncoder().encode("421 4.7.0 too many failed logins, try again later\r\n");

/** Answers a refused connection at once instead of accepting it and starving it. */
function refuse(conn: Deno.TcpConn, reply: Uint8Array): void {
  conn.write(reply).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch {
      // Already gone.
    }
  });
}
