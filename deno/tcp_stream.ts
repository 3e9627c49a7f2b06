/**
 * An accepted TCP connection as the byte streams a session reads and
 * writes, with small reads while the client is quiet.
 *
 * `conn.readable` keeps a 64 KiB buffer behind every pending read, about
 * 80 KiB per idle connection (measured in `bench/idle_memory.ts`). This
 * stream reads into 4 KiB while a connection trickles commands and switches
 * to 64 KiB reads while a read fills its buffer (a message body streaming in).
 *
 * @module
 */
import type { ByteStream } from "./smtp_connection.ts";

const SMALL_READ = 4 * 1024;
const LARGE_READ = 64 * 1024;

/**
 * Wraps `conn`; cancelling the readable closes the connection.
 *
 * @example
 * ```ts ignore
 * const stream = tcpByteStream(await listener.accept());
 * ```
 */
export function tcpByteStream(conn: Deno.TcpConn): ByteStream {
  let size = SMALL_READ;
  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(size);
      const count = await conn.read(buffer);
      if (count === null) return controller.close();
      // A full buffer means more is coming: read big; a short read means a quiet client.
      size = count === buffer.length ? LARGE_READ : SMALL_READ;
      controller.enqueue(count === buffer.length ? buffer : buffer.slice(0, count));
    },
    cancel() {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    },
  }, { highWaterMark: 0 });
  return { readable, writable: conn.writable };
}
