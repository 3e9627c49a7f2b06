/**
 * The client side of TLS for outbound SMTP: STARTTLS and implicit TLS
 * (port 465) through `node:tls`, which (unlike `Deno.startTls`) can skip
 * certificate checks per connection, as opportunistic TLS to MX hosts needs.
 *
 * @module
 */
import { isIP, type Socket } from "node:net";
import { connect, type TLSSocket } from "node:tls";
import type { TlsClientOptions, TlsSessionInfo } from "../../delivery/client_connection.ts";

export type { TlsClientOptions, TlsSessionInfo };

/**
 * Starts TLS as the client on a connected socket (after `220` to STARTTLS,
 * or right after connecting for implicit TLS). Stop reading the socket
 * before calling this: the handshake takes the socket over. Rejects with the
 * handshake's or the verification's error, or on timeout; the socket is then
 * destroyed.
 *
 * @example
 * ```ts ignore
 * const { socket: secure, info } = await startTlsClient(socket, {
 *   servername: "mail.provider.example", verify: true, timeoutMs: 30_000,
 * });
 * console.log(info.protocol, info.verified); // "TLSv1.3" true
 * ```
 */
export function startTlsClient(
  socket: Socket,
  options: TlsClientOptions,
): Promise<{ socket: TLSSocket; info: TlsSessionInfo }> {
  const secure = connect({
    socket,
    host: options.servername,
    ...(isIP(options.servername) ? {} : { servername: options.servername }),
    rejectUnauthorized: options.verify,
    ...(options.caCertificates ? { ca: [...options.caCertificates] } : {}),
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new Error(`no TLS handshake within ${options.timeoutMs / 1000} s`));
    }, options.timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      secure.destroy();
      socket.destroy();
      reject(error);
    };
    secure.once("error", fail);
    secure.once("secureConnect", () => {
      clearTimeout(timer);
      secure.off("error", fail);
      secure.setNoDelay(true);
      resolve({ socket: secure, info: describeSession(secure) });
    });
  });
}

function describeSession(socket: TLSSocket): TlsSessionInfo {
  const subject = socket.getPeerCertificate()?.subject?.CN;
  const error = socket.authorizationError;
  return {
    protocol: socket.getProtocol() ?? "unknown",
    cipher: socket.getCipher()?.name ?? "unknown",
    verified: socket.authorized,
    ...(error ? { verifyError: String(error) } : {}),
    ...(typeof subject === "string" ? { subject } : {}),
  };
}
