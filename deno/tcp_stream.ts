/**
 * An accepted TCP connection as a {@linkcode ByteStream}, with small reads
 * while the client is quiet.
 *
 * `conn.readable` keeps a 64 KiB buffer behind every pending read, and web
 * streams add their own objects: about 80 KiB per idle connection in a bare
 * server (`bench/idle_memory.ts`). This reads with `conn.read` into 1 KiB
 * while a connection trickles commands (a command line fits), and into 64 KiB while reads come back
 * full (a message body streaming in).
 *
 * @module
 */
import type { ByteStream } from "./byte_stream.ts";

const SMALL_READ = 1024;
const LARGE_READ = 64 * 1024;

/**
 * Wraps an accepted connection.
 *
 * @example
 * ```ts ignore
 * const stream = tcpByteStream(await listener.accept());
 * ```
 */
export function tcpByteStream(conn: Deno.TcpConn): ByteStream {
  let size = SMALL_READ;
  let closed = false;
  return {
    async read() {
      const buffer = new Uint8Array(size);
      const count = await conn.read(buffer);
      if (count === null) return null;
      // A full buffer means more is coming: read big; a short read means a quiet client.
      size = count === buffer.length ? LARGE_READ : SMALL_READ;
      return count === buffer.length ? buffer : buffer.slice(0, count);
    },
    async write(bytes) {
      for (let written = 0; written < bytes.length;) {
        written += await conn.write(bytes.subarray(written));
      }
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // Already gone.
      }
    },
  };
}
