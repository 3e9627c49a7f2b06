/**
 * What the SMTP client driver (`_client_driver.ts`) needs of a connection:
 * time-limited reads and writes, an in-place TLS upgrade, and close. The
 * runtime supplies it (`runtime/deno/outbound_connection.ts` over `node:net`
 * and `node:tls`); the driver stays free of runtime types.
 *
 * @module
 */

/**
 * The result of a read: bytes, the end of the stream, or the time limit.
 *
 * @example
 * ```ts
 * import type { ReadResult } from "@tollgate/tollgate/delivery";
 * const describe = (result: ReadResult) =>
 *   typeof result === "string" ? result : `${result.length} bytes`;
 * console.log(describe(new Uint8Array(5)), describe("timeout")); // 5 bytes timeout
 * ```
 */
export type ReadResult = Uint8Array | "end" | "timeout";

/**
 * How to secure one connection.
 *
 * @example
 * ```ts
 * import type { TlsClientOptions } from "@tollgate/tollgate/delivery";
 * const options: TlsClientOptions = {
 *   servername: "mail.provider.example", verify: true, timeoutMs: 30_000,
 * };
 * console.log(options.verify); // true (false only for opportunistic TLS to MX hosts)
 * ```
 */
export interface TlsClientOptions {
  /** The name the certificate must carry (and SNI, unless it is an IP address). */
  servername: string;
  /** Verify the certificate chain and name; `false` only for opportunistic TLS. */
  verify: boolean;
  /** PEM certificates to trust instead of the system's roots. */
  caCertificates?: readonly string[];
  /** How long the handshake may take, in ms. */
  timeoutMs: number;
}

/**
 * What was negotiated, for logs and the route test.
 *
 * @example
 * ```ts
 * import type { TlsSessionInfo } from "@tollgate/tollgate/delivery";
 * const info: TlsSessionInfo = {
 *   protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", verified: false,
 *   verifyError: "self-signed certificate",
 * };
 * console.log(info.verified ? "verified" : info.verifyError); // "self-signed certificate"
 * ```
 */
export interface TlsSessionInfo {
  /** `TLSv1.3`. */
  protocol: string;
  /** `TLS_AES_256_GCM_SHA384`. */
  cipher: string;
  /** Whether the certificate chain and name were verified. */
  verified: boolean;
  /** Why not, when it was not (opportunistic TLS still goes on). */
  verifyError?: string;
  /** The certificate's subject common name, if any. */
  subject?: string;
}

/**
 * One connected outbound connection, read and written through promises.
 *
 * @example
 * ```ts
 * import type { OutboundConnection } from "@tollgate/tollgate/delivery";
 * const hungUp: OutboundConnection = {
 *   read: () => Promise.resolve("end"),
 *   write: () => Promise.resolve("written"),
 *   startTls: () => Promise.reject(new Error("no TLS here")),
 *   close: () => {},
 * };
 * console.log(await hungUp.read(30_000)); // "end"
 * ```
 */
export interface OutboundConnection {
  /** The next bytes, `"end"` when the peer closed, or `"timeout"` after `timeoutMs`. */
  read(timeoutMs: number): Promise<ReadResult>;
  /** Writes all of `bytes`, or gives up with `"timeout"` after `timeoutMs`. */
  write(bytes: Uint8Array, timeoutMs: number): Promise<"written" | "timeout">;
  /** Starts TLS as the client on this connection; rejects if the handshake fails. */
  startTls(options: TlsClientOptions): Promise<TlsSessionInfo>;
  /** Closes the connection; safe to call more than once. */
  close(): void;
}
