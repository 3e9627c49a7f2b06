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
  return new TcpByteStream(conn);
}

/** A class rather than closures: an idle connection holds one, and closures cost memory. */
class TcpByteStream implements ByteStream {
  readonly #conn: Deno.TcpConn;
  #small: Uint8Array | undefined;
  // Kept only while reads come back full, so an idle connection holds no 64 KiB.
  #large: Uint8Array | undefined;
  #closed = false;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  read(): Promise<Uint8Array | null> {
    // Not an async function: an idle connection then holds one promise here, not a suspended frame.
    const buffer = this.#large ?? (this.#small ??= new Uint8Array(SMALL_READ));
    return this.#conn.read(buffer).then((count) => {
      if (count === null) return null;
      // A full buffer means more is coming: read big; a short read means a quiet client.
      if (count === buffer.length) this.#large ??= new Uint8Array(LARGE_READ);
      else this.#large = undefined;
      return buffer.subarray(0, count);
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    for (let written = 0; written < bytes.length;) {
      written += await this.#conn.write(bytes.subarray(written));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already gone.
    }
  }
}
