/**
 * Checks passwords through a running Dovecot's authentication socket, as
 * Postfix's `smtpd_sasl_type = dovecot` does: users of an existing IMAP
 * server log in to SMTP with the same password.
 *
 * @module
 */
import { DovecotAuthExchange } from "../../auth/dovecot_auth.ts";
import type { Credentials, CredentialVerifier, VerifyResult } from "../../auth/credentials.ts";

/** Where Dovecot's auth service listens: a UNIX socket or a TCP `inet_listener`. */
export type DovecotAddress = { path: string } | { hostname: string; port: number };

/** Options for {@linkcode DovecotVerifier}. */
export interface DovecotVerifierOptions {
  /** Give up (temporary failure) when Dovecot has not answered within this long. */
  timeoutMs: number;
}

/** Dovecot's lines are at most 16 KiB; anything longer is a broken peer. */
const MAX_LINE_BYTES = 16 * 1024;

/**
 * Reads `TOLLGATE_DOVECOT_AUTH`: a path (it contains `/`) is a UNIX socket,
 * otherwise `host:port` (IPv6 as `[::1]:port`). Throws a TypeError otherwise.
 *
 * @example
 * ```ts
 * import { parseDovecotAddress } from "@tollgate/tollgate/deno";
 * console.log(parseDovecotAddress("/var/run/dovecot/auth-client")); // { path: "/var/run/dovecot/auth-client" }
 * console.log(parseDovecotAddress("127.0.0.1:12345")); // { hostname: "127.0.0.1", port: 12345 }
 * ```
 */
export function parseDovecotAddress(text: string): DovecotAddress {
  if (text.includes("/")) return { path: text };
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : 0;
  if (!match || port < 1 || port > 65535) {
    throw new TypeError(
      `Cannot parse Dovecot address "${text}": expected a socket path or host:port`,
    );
  }
  return { hostname: match[1] ?? match[2], port };
}

/**
 * A `CredentialVerifier` that asks Dovecot: one connection and one PLAIN
 * exchange per check. A refused connection, a timeout, a closed connection
 * or a `FAIL` marked temporary is a `temporary-failure` (454); CRAM-MD5 is
 * rejected (it is not offered with this backend).
 *
 * @example
 * ```ts ignore
 * import { DovecotVerifier } from "@tollgate/tollgate/deno";
 * const verifier = new DovecotVerifier({ path: "/var/run/dovecot/auth-client" }, {
 *   timeoutMs: 10_000,
 * });
 * console.log(await verifier.verify({
 *   kind: "password", mechanism: "PLAIN", username: "test@domain.de", password: "testing",
 * }));
 * ```
 */
export class DovecotVerifier implements CredentialVerifier {
  #address: DovecotAddress;
  #timeoutMs: number;

  /** Connects to `address` for every check. */
  constructor(address: DovecotAddress, options: DovecotVerifierOptions) {
    this.#address = { ...address };
    this.#timeoutMs = options.timeoutMs;
  }

  /** One exchange with Dovecot; never throws. */
  async verify(credentials: Credentials): Promise<VerifyResult> {
    if (credentials.kind !== "password") return { kind: "rejected" };
    const exchange = new DovecotAuthExchange({
      username: credentials.username,
      password: credentials.password,
      clientPid: Deno.pid,
    });
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#timeoutMs);
    let conn: Deno.Conn | undefined;
    try {
      conn = await this.#connect(abort.signal);
      return await converse(conn, exchange, abort.signal);
    } catch (error) {
      const reason = abort.signal.aborted
        ? `no answer within ${this.#timeoutMs} ms`
        : error instanceof Error
        ? error.message
        : String(error);
      return { kind: "temporary-failure", reason: `Dovecot auth: ${reason}` };
    } finally {
      clearTimeout(timer);
      try {
        conn?.close();
      } catch {
        // Already closed by the read loop's cancel.
      }
    }
  }

  #connect(signal: AbortSignal): Promise<Deno.Conn> {
    const address = this.#address;
    const connecting: Promise<Deno.Conn> = "path" in address
      ? Deno.connect({ transport: "unix", path: address.path })
      : Deno.connect({ hostname: address.hostname, port: address.port, signal });
    return abortable(connecting, signal);
  }
}

async function converse(
  conn: Deno.Conn,
  exchange: DovecotAuthExchange,
  signal: AbortSignal,
): Promise<VerifyResult> {
  const encoder = new TextEncoder();
  await conn.write(encoder.encode(exchange.start()));
  const reader = conn.readable.pipeThrough(new TextDecoderStream()).getReader();
  const cancel = () => reader.cancel().catch(() => {});
  signal.addEventListener("abort", cancel, { once: true });
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (signal.aborted) throw new Error("aborted");
      if (done) throw new Error("Dovecot closed the connection");
      buffer += value;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const step = exchange.receive(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (step.kind === "done") return step.result;
        if (step.kind === "send") await conn.write(encoder.encode(step.text));
      }
      if (buffer.length > MAX_LINE_BYTES) throw new Error("Dovecot sent an overlong line");
    }
  } finally {
    signal.removeEventListener("abort", cancel);
    await cancel();
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
