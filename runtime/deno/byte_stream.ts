/**
 * Adapters to the one shape of connection the SMTP driver reads and writes
 * ({@linkcode ByteStream}, defined in `server/types.ts`): from web streams
 * (tests, embedding) and from a Node `Duplex` (TLS through `node:tls`), and
 * back to a `Duplex` so `node:tls` can run over any of them. The TCP adapter is in `tcp_stream.ts`.
 *
 * @module
 */
import { Duplex } from "node:stream";
import type { ByteStream } from "../../server/types.ts";

export type { ByteStream };

/**
 * A {@linkcode ByteStream} over a pair of web streams.
 *
 * @example
 * ```ts
 * import { webByteStream } from "@tollgate/tollgate/deno";
 * const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
 * const stream = webByteStream({ readable, writable });
 * stream.write(new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode((await stream.read())!)); // "hi"
 * ```
 */
export function webByteStream(
  streams: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> },
): ByteStream {
  const reader = streams.readable.getReader();
  const writer = streams.writable.getWriter();
  return {
    read: async () => {
      const { value, done } = await reader.read();
      return done ? null : value;
    },
    write: (bytes) => writer.write(bytes),
    close() {
      reader.cancel().catch(() => {});
      writer.close().catch(() => {});
    },
  };
}

/** How long closing waits for TLS close_notify to be written before it drops the connection. */
const CLOSE_NOTIFY_GRACE_MS = 1000;

/**
 * A {@linkcode ByteStream} over a Node `Duplex` (a `TLSSocket`).
 *
 * Reads with `socket.read()` and the `readable` event rather than the async
 * iterator: the iterator builds an `ERR_STREAM_PREMATURE_CLOSE` error (with
 * its stack) whenever a session closes the socket it is reading, which was
 * ~11% of the CPU of a STARTTLS session.
 *
 * @example
 * ```ts ignore
 * const secure = duplexByteStream(tlsSocket);
 * ```
 */
export function duplexByteStream(socket: Duplex): ByteStream {
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  socket.on("readable", notify);
  socket.on("end", () => {
    ended = true;
    notify();
  });
  socket.on("close", () => {
    ended = true;
    notify();
  });
  socket.on("error", (error: Error) => {
    failure = error;
    notify();
  });
  return {
    async read() {
      while (true) {
        const chunk: Uint8Array | null = socket.read();
        if (chunk !== null) return chunk;
        if (failure) throw failure;
        if (ended) return null;
        await new Promise<void>((resolve) => wake = resolve);
      }
    },
    write: (bytes) =>
      new Promise((resolve, reject) =>
        socket.write(bytes, (error) => error ? reject(error) : resolve())
      ),
    close() {
      // TLS ends with close_notify (OpenSSL 3 reports a bare TCP close as a truncation attack
      // and exits 1); a peer that does not take it within the grace is cut off.
      const cutOff = setTimeout(() => socket.destroy(), CLOSE_NOTIFY_GRACE_MS);
      socket.once("close", () => clearTimeout(cutOff));
      socket.end();
    },
  };
}

/**
 * A Node `Duplex` over a {@linkcode ByteStream}, for `node:tls` to run over.
 * It reads only when TLS asks for more, so nothing is read ahead.
 *
 * @example
 * ```ts ignore
 * const socket = new tls.TLSSocket(toDuplex(stream), { isServer: true, secureContext });
 * ```
 */
export function toDuplex(stream: ByteStream): Duplex {
  return new Duplex({
    read() {
      stream.read().then(
        // Node keeps pushed chunks until its reader takes them: they must not be reused.
        (bytes) => this.push(bytes?.slice() ?? null),
        (error) => this.destroy(error),
      );
    },
    write(bytes: Uint8Array, _encoding, done) {
      stream.write(bytes).then(() => done(), done);
    },
    final(done) {
      stream.close();
      done();
    },
    destroy(error, done) {
      stream.close();
      done(error);
    },
  });
}
