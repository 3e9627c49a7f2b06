/**
 * The types the connection driver shares with its parts and its adapters:
 * the connection's bytes ({@linkcode ByteStream}) and who is on the other
 * end ({@linkcode Peer}). Defined once here so that no two files of the
 * driver import each other.
 *
 * @module
 */

/**
 * A connection's bytes, both ways.
 *
 * @example
 * ```ts
 * import type { ByteStream } from "@tollgate/tollgate/server";
 * const chunks = [new TextEncoder().encode("QUIT\r\n")];
 * const stream: ByteStream = {
 *   read: () => Promise.resolve(chunks.shift() ?? null),
 *   write: () => Promise.resolve(),
 *   close: () => {},
 * };
 * console.log((await stream.read())?.length, await stream.read()); // 6 null
 * ```
 */
export interface ByteStream {
  /**
   * The next bytes from the peer, or null at the end. They may be a view of
   * a buffer the stream reads into again: valid until the next `read()`;
   * copy what must outlive it.
   */
  read(): Promise<Uint8Array | null>;
  /** Writes all of `bytes`. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the connection; safe to call more than once. */
  close(): void;
}

/**
 * Who is on the other end of one connection.
 *
 * @example
 * ```ts
 * import type { Peer } from "@tollgate/tollgate/server";
 * const peer: Peer = { clientAddress: "2001:db8::1", peer: "[2001:db8::1]:50123" };
 * console.log(peer.clientAddress); // "2001:db8::1"
 * ```
 */
export interface Peer {
  /** The client's IP address, as relay checks and Received headers want it. */
  clientAddress: string;
  /** `address:port`, to tell connections apart in the log. */
  peer: string;
}
