/**
 * What the SMTP client driver (`_client_driver.ts`) needs of a connection:
 * time-limited reads and writes, an in-place TLS upgrade, and close. The
 * runtime supplies it (`runtime/deno/outbound_connection.ts` over `node:net`
 * and `node:tls`); the driver stays free of runtime types.
 *
 * @module
 */

/** The result of a read: bytes, the end of the stream, or the time limit. */
export type ReadResult = Uint8Array | "end" | "timeout";

/** How to secure one connection. */
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

/** What was negotiated, for logs and the route test. */
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

/** One connected outbound connection, read and written through promises. */
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
