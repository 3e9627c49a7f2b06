/**
 * The SMTP listener: accepts connections with `Deno.listen` and runs one
 * session per connection; one failing session never harms another.
 *
 * @module
 */
import type { MechanismName } from "../auth/sasl.ts";
import { isAddressInNetworks } from "../relay/networks.ts";
import { ServerSession } from "../smtp/server_session.ts";
import type { InsecureAuthPolicy, ListenAddress } from "./config.ts";
import { type ConnectionDeps, serveConnection } from "./smtp_connection.ts";

/** How the SMTP server behaves. */
export interface SmtpServerOptions extends Omit<ConnectionDeps, "shutdown"> {
  /** Where to listen. */
  listen: ListenAddress;
  /** This server's name. */
  hostname: string;
  /** The largest message accepted. */
  maxMessageBytes: number;
  /** The mechanisms offered where AUTH is allowed. */
  authMechanisms: readonly MechanismName[];
  /** Where AUTH is offered without TLS. */
  insecureAuth: InsecureAuthPolicy;
  /** The pause before `535`. */
  authFailureDelayMs: number;
}

/** A running SMTP server. */
export interface SmtpServer {
  /** The address actually bound (with the kernel's port when 0 was asked). */
  readonly address: ListenAddress;
  /** Stops accepting, ends idle sessions with `421`, and waits for the rest. */
  shutdown(): Promise<void>;
}

const LOOPBACK = ["127.0.0.0/8", "::1/128"];

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
  const listener = Deno.listen({ ...options.listen, transport: "tcp" });
  const sessions = new Set<Promise<void>>();
  let signalShutdown!: () => void;
  const shutdown = new Promise<void>((resolve) => signalShutdown = resolve);
  const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));

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
      const { hostname: clientAddress, port } = conn.remoteAddr as Deno.NetAddr;
      const authInClear = options.insecureAuth === "always" ||
        (options.insecureAuth === "loopback" && isAddressInNetworks(clientAddress, LOOPBACK));
      try {
        conn.setNoDelay(true);
      } catch {
        // The peer may already be gone; the session will notice.
      }
      const session = new ServerSession({
        hostname: options.hostname,
        clientAddress,
        maxMessageBytes: options.maxMessageBytes,
        authMechanisms: authInClear ? options.authMechanisms : [],
        authNeedsEncryption: !authInClear && options.authMechanisms.length > 0,
        authFailureDelayMs: options.authFailureDelayMs,
        randomBytes,
      });
      const peer = clientAddress.includes(":")
        ? `[${clientAddress}]:${port}`
        : `${clientAddress}:${port}`;
      const running = serveConnection(conn, session, {
        ...options,
        shutdown,
        clientAddress,
        peer,
      });
      sessions.add(running);
      running.finally(() => sessions.delete(running));
    }
  })();

  return {
    address: { hostname: options.listen.hostname, port: (listener.addr as Deno.NetAddr).port },
    async shutdown() {
      closing = true;
      listener.close();
      await accepting.catch(() => {});
      signalShutdown();
      await Promise.allSettled([...sessions]);
    },
  };
}
