/**
 * Server-side TLS for accepted connections: STARTTLS and implicit TLS.
 *
 * Deno has no API to upgrade an accepted connection, so this wraps the
 * connection's streams in `node:tls` (see the platform notes). The caller
 * must have stopped reading and finished writing `220 Ready to start TLS`
 * before calling {@linkcode upgradeToTls}, and must have set `noDelay` on the
 * TCP connection: without it every TLS session stalls about 40 ms (Nagle).
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import tls from "node:tls";
import type { TlsInfo } from "../../smtp/server_types.ts";
import { type ByteStream, duplexByteStream, toDuplex } from "./byte_stream.ts";

/** How long a client may take for the TLS handshake. */
const HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * The server's certificate and key, reloaded when the files change or on
 * demand (SIGHUP). A broken new file keeps the old certificate and logs why;
 * sessions in progress are never dropped, new handshakes use the new one.
 *
 * @example
 * ```ts ignore
 * const certificate = await TlsCertificate.load("cert.pem", "key.pem", console.log);
 * const stop = certificate.watch();
 * ```
 */
export class TlsCertificate {
  #context: tls.SecureContext;
  readonly #certPath: string;
  readonly #keyPath: string;
  readonly #log: (line: string) => void;

  private constructor(
    context: tls.SecureContext,
    paths: { certPath: string; keyPath: string },
    log: (line: string) => void,
  ) {
    this.#context = context;
    this.#certPath = paths.certPath;
    this.#keyPath = paths.keyPath;
    this.#log = log;
  }

  /** Reads both PEM files; throws if they do not make a usable certificate. */
  static async load(
    certPath: string,
    keyPath: string,
    log: (line: string) => void,
  ): Promise<TlsCertificate> {
    return new TlsCertificate(await readContext(certPath, keyPath), { certPath, keyPath }, log);
  }

  /** The context new handshakes use. */
  get context(): tls.SecureContext {
    return this.#context;
  }

  /** Reads the files again; on failure keeps the current certificate. Returns success. */
  async reload(): Promise<boolean> {
    try {
      this.#context = await readContext(this.#certPath, this.#keyPath);
      this.#log(`tls certificate reloaded from ${this.#certPath}`);
      return true;
    } catch (error) {
      this.#log(
        `tls certificate reload failed, keeping the old one: ${
          error instanceof Error ? error.message : error
        }`,
      );
      return false;
    }
  }

  /** Reloads when either file changes (and on SIGHUP); returns a function that stops it. */
  watch(): () => void {
    const watcher = Deno.watchFs([this.#certPath, this.#keyPath]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    (async () => {
      for await (const event of watcher) {
        if (event.kind === "access") continue;
        // Certificate renewals write two files: settle before reading them.
        clearTimeout(timer);
        timer = setTimeout(() => this.reload(), 200);
      }
    })().catch(() => {});
    const onHangup = () => void this.reload();
    Deno.addSignalListener("SIGHUP", onHangup);
    return () => {
      clearTimeout(timer);
      watcher.close();
      Deno.removeSignalListener("SIGHUP", onHangup);
    };
  }
}

/** Reads and checks both files: the context is built lazily, so a broken file must fail here. */
async function readContext(certPath: string, keyPath: string): Promise<tls.SecureContext> {
  const [cert, key] = await Promise.all([Deno.readTextFile(certPath), Deno.readTextFile(keyPath)]);
  const certificate = new X509Certificate(cert);
  if (!certificate.checkPrivateKey(createPrivateKey(key))) {
    throw new Error(`the key in ${keyPath} does not belong to the certificate in ${certPath}`);
  }
  return tls.createSecureContext({ cert, key, minVersion: "TLSv1.2" });
}

/**
 * Runs the server side of a TLS handshake over `stream` and returns the
 * decrypted streams. Rejects if the handshake fails or times out.
 *
 * @example
 * ```ts ignore
 * const { stream: secure, tls } = await upgradeToTls(conn, certificate.context);
 * ```
 */
export function upgradeToTls(
  stream: ByteStream,
  context: tls.SecureContext,
): Promise<{ stream: ByteStream; tls: TlsInfo }> {
  const socket = new tls.TLSSocket(toDuplex(stream), {
    isServer: true,
    secureContext: context,
  });
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error("TLS handshake timed out")),
      HANDSHAKE_TIMEOUT_MS,
    );
    socket.once("error", fail);
    socket.once("close", () => fail(new Error("connection closed during the TLS handshake")));
    socket.once("secure", () => {
      clearTimeout(timer);
      socket.removeAllListeners("close");
      socket.removeListener("error", fail);
      socket.on("error", () => {}); // later errors surface through reads and writes
      resolve({
        stream: duplexByteStream(socket),
        tls: {
          protocol: socket.getProtocol() ?? "TLS",
          cipher: socket.getCipher()?.standardName ?? "unknown",
        },
      });
    });
  });
}
