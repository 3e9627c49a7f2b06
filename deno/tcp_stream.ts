/**
 * An accepted TCP connection as a {@linkcode ByteStream}, with small reads
 * while the client is quiet.
 *
 * `conn.readable` keeps a 64 KiB buffer behind every pending read, and web
 * streams add their own objects: about 80 KiB per idle connection in a bare
 * server (`bench/idle_memory.ts`). This reads with `conn.read` into 1 KiB
 * while a connection trickles commands (a command line fits), and into 64 KiB while reads come back
 * full (a message body streaming in). Each buffer is read into again: the
 * bytes returned are valid until the next read (the {@linkcode ByteStream}
 * contract), so a 25 MiB body costs one 64 KiB buffer, not 400 of them.
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
  let small: Uint8Array | undefined;
  // Kept only while reads come back full, so an idle connection holds no 64 KiB.
  let large: Uint8Array | undefined;
  let closed = false;
  return {
    async read() {
      const buffer = large ?? (small ??= new Uint8Array(SMALL_READ));
      const count = await conn.read(buffer);
      if (count === null) return null;
      // A full buffer means more is coming: read big; a short read means a quiet client.
      if (count === buffer.length) large ??= new Uint8Array(LARGE_READ);
      else large = undefined;
      return buffer.subarray(0, count);
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
