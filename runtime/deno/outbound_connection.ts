/**
 * One outbound TCP connection with awaitable, time-limited reads and writes
 * that can be upgraded to TLS in place.
 *
 * @module
 */
import { connect, type Socket } from "node:net";
import type {
  OutboundConnection as ClientConnection,
  ReadResult,
} from "../../delivery/client_connection.ts";
import { startTlsClient, type TlsClientOptions, type TlsSessionInfo } from "./tls_client.ts";

export type { ReadResult };

const ignoreError = () => {};

/** More chunks than this waiting unread pause the socket (replies are small). */
const MAX_QUEUED_CHUNKS = 16;

/**
 * A connected socket, read and written through promises.
 *
 * @example
 * ```ts ignore
 * const connection = await OutboundConnection.open("127.0.0.1", 2525, 30_000);
 * const greeting = await connection.read(300_000);
 * connection.close();
 * ```
 */
export class OutboundConnection implements ClientConnection {
  #socket: Socket;
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  readonly #listeners = {
    data: (chunk: Uint8Array) => {
      this.#chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (this.#chunks.length >= MAX_QUEUED_CHUNKS) this.#socket.pause();
      this.#wakeReader();
    },
    end: () => {
      this.#ended = true;
      this.#wakeReader();
    },
    close: () => {
      this.#ended = true;
      this.#wakeReader();
    },
    error: (error: Error) => {
      this.#error = error;
      this.#wakeReader();
    },
  };

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#attach();
  }

  /**
   * Connects to `host:port`; rejects with the system's error (refused,
   * unreachable, unknown host) or after `timeoutMs`.
   */
  static open(host: string, port: number, timeoutMs: number): Promise<OutboundConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        socket.setNoDelay(true);
        resolve(new OutboundConnection(socket));
      });
    });
  }

  /** The peer's IP address, as connected (a host name is resolved by then). */
  get remoteAddress(): string {
    return this.#socket.remoteAddress ?? "";
  }

  /** The next bytes from the peer; throws the socket's error. */
  async read(timeoutMs: number): Promise<ReadResult> {
    if (this.#chunks.length === 0 && !this.#ended && !this.#error) {
      this.#socket.resume();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await new Promise<boolean>((resolve) => {
        this.#wake = () => resolve(false);
        timer = setTimeout(() => resolve(true), Math.max(0, timeoutMs));
      });
      clearTimeout(timer);
      this.#wake = undefined;
      if (timedOut) return "timeout";
    }
    const chunk = this.#chunks.shift();
    if (chunk) return chunk;
    if (this.#error) throw this.#error;
    return "end";
  }

  /**
   * Writes; waits only while the socket's buffer is full (`"timeout"` if it
   * does not drain in time). A failed write shows up as the next read's error.
   */
  write(bytes: Uint8Array, timeoutMs: number): Promise<"written" | "timeout"> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#socket.write(bytes)) return Promise.resolve("written");
    return new Promise((resolve) => {
      const done = (result: "written" | "timeout") => {
        clearTimeout(timer);
        this.#socket.off("drain", drained);
        this.#socket.off("close", drained);
        resolve(result);
      };
      const drained = () => done("written");
      const timer = setTimeout(() => done("timeout"), Math.max(0, timeoutMs));
      this.#socket.on("drain", drained);
      this.#socket.on("close", drained);
    });
  }

  /**
   * Upgrades to TLS. Bytes received but not read are dropped: after `220`
   * to STARTTLS nothing in plain text may count.
   */
  async startTls(options: TlsClientOptions): Promise<TlsSessionInfo> {
    this.#detach();
    this.#socket.pause();
    this.#chunks = [];
    const { socket, info } = await startTlsClient(this.#socket, options);
    this.#socket = socket;
    this.#attach();
    return info;
  }

  /** Closes the connection at once. */
  close(): void {
    this.#detach();
    this.#socket.destroy();
  }

  #attach(): void {
    this.#socket.on("data", this.#listeners.data);
    this.#socket.on("end", this.#listeners.end);
    this.#socket.on("close", this.#listeners.close);
    this.#socket.on("error", this.#listeners.error);
  }

  #detach(): void {
    this.#socket.off("data", this.#listeners.data);
    this.#socket.off("end", this.#listeners.end);
    this.#socket.off("close", this.#listeners.close);
    this.#socket.off("error", this.#listeners.error);
    // A detached socket may still report an error (a reset while closing); it changes nothing.
    if (!this.#socket.listeners("error").includes(ignoreError)) {
      this.#socket.on("error", ignoreError);
    }
  }

  #wakeReader(): void {
    this.#wake?.();
  }
}
