/**
 * The client side of Dovecot's authentication protocol (the `auth-client`
 * socket Postfix and Exim use), as a pure line machine: the adapter
 * (`runtime/deno/dovecot_client.ts`) moves lines; this file decides what they mean.
 *
 * One exchange per connection: `VERSION` and `CPID` go out at once (the
 * protocol allows pipelining them), the server's handshake is read up to
 * `DONE`, then one `AUTH` with mechanism PLAIN and the initial response, and
 * `OK`, `FAIL` or anything else ends it. Only PLAIN is used: SMTP's LOGIN
 * carries the same password, and CRAM-MD5's challenge would have to come
 * from Dovecot, so Tollgate does not offer CRAM-MD5 with this backend.
 *
 * @module
 */
import type { VerifyResult } from "./credentials.ts";
import { encodeBase64 } from "./base64.ts";

/** The protocol's major version; minor versions are compatible. */
const MAJOR_VERSION = "1";
const REQUEST_ID = "1";

/**
 * What to ask Dovecot.
 *
 * @example
 * ```ts
 * import { type DovecotAuthRequest, DovecotAuthExchange } from "@tollgate/tollgate/auth";
 * const request: DovecotAuthRequest = {
 *   username: "test@domain.de", password: "testing", clientPid: 42, service: "smtp",
 * };
 * console.log(new DovecotAuthExchange(request).start()); // "VERSION\t1\t2\nCPID\t42\n"
 * ```
 */
export interface DovecotAuthRequest {
  /** The user name as the client sent it. */
  username: string;
  /** The password. */
  password: string;
  /** Our process id, for `CPID`. */
  clientPid: number;
  /** The service name Dovecot's passdb sees (`%s`); default `smtp`. */
  service?: string;
}

/**
 * What the adapter does next.
 *
 * @example
 * ```ts
 * import type { DovecotStep } from "@tollgate/tollgate/auth";
 * const step: DovecotStep = { kind: "done", result: { kind: "rejected" } };
 * if (step.kind === "done") console.log(step.result.kind); // "rejected"
 * ```
 */
export type DovecotStep =
  | { kind: "send"; text: string }
  | { kind: "wait" }
  | { kind: "done"; result: VerifyResult };

/**
 * Undoes Dovecot's tab-escaping: `\x01` then `0` (NUL), `1` (`\x01`), `t`
 * (TAB), `r` (CR), `n` or `l` (LF); before anything else it is dropped.
 *
 * @example
 * ```ts
 * import { unescapeDovecot } from "@tollgate/tollgate/auth";
 * console.log(unescapeDovecot("a\x01tb")); // "a\tb"
 * ```
 */
export function unescapeDovecot(text: string): string {
  const map: Record<string, string> = {
    "0": "\0",
    "1": "\x01",
    t: "\t",
    r: "\r",
    n: "\n",
    l: "\n",
  };
  // deno-lint-ignore no-control-regex -- \x01 is Dovecot's escape character.
  return text.replace(/\x01(.?)/gs, (_, next: string) => map[next] ?? next);
}

/**
 * One PLAIN authentication over one connection to Dovecot's auth socket.
 *
 * @example
 * ```ts
 * import { DovecotAuthExchange } from "@tollgate/tollgate/auth";
 * const exchange = new DovecotAuthExchange({
 *   username: "test@domain.de", password: "testing", clientPid: 42,
 * });
 * console.log(exchange.start()); // "VERSION\t1\t2\nCPID\t42\n"
 * for (const line of ["VERSION\t1\t2", "MECH\tPLAIN\tplaintext", "DONE"]) {
 *   const step = exchange.receive(line);
 *   if (step.kind === "send") console.log(step.text.startsWith("AUTH\t1\tPLAIN\t")); // true
 * }
 * console.log(exchange.receive("OK\t1\tuser=test@domain.de"));
 * // { kind: "done", result: { kind: "accepted", user: "test@domain.de" } }
 * ```
 */
export class DovecotAuthExchange {
  #request: DovecotAuthRequest;
  #state: "new" | "handshake" | "authenticating" | "done" = "new";
  #versionSeen = false;
  #mechanisms = new Set<string>();

  /** Prepares the exchange; nothing is sent until {@linkcode start}. */
  constructor(request: DovecotAuthRequest) {
    this.#request = { ...request };
  }

  /** The client's handshake, to send right after connecting. */
  start(): string {
    if (this.#state !== "new") {
      throw new TypeError("Cannot start Dovecot exchange: already started");
    }
    this.#state = "handshake";
    return `VERSION\t${MAJOR_VERSION}\t2\nCPID\t${this.#request.clientPid}\n`;
  }

  /** Feeds one line from the server (without its LF). */
  receive(line: string): DovecotStep {
    if (this.#state === "new" || this.#state === "done") {
      throw new TypeError(`Cannot read Dovecot line: the exchange is ${this.#state}`);
    }
    const [command, ...args] = line.replace(/\r$/, "").split("\t");
    return this.#state === "handshake"
      ? this.#handshake(command, args)
      : this.#reply(command, args);
  }

  #handshake(command: string, args: string[]): DovecotStep {
    switch (command) {
      case "VERSION":
        if (args[0] !== MAJOR_VERSION) return this.#fail(`Dovecot speaks version ${args[0]}`);
        this.#versionSeen = true;
        return { kind: "wait" };
      case "MECH":
        this.#mechanisms.add((args[0] ?? "").toUpperCase());
        return { kind: "wait" };
      case "SPID":
      case "CUID":
      case "COOKIE":
        return { kind: "wait" };
      case "DONE":
        if (!this.#versionSeen) return this.#fail("Dovecot sent no VERSION");
        if (!this.#mechanisms.has("PLAIN")) return this.#fail("Dovecot does not offer PLAIN");
        return this.#authenticate();
      default:
        return this.#fail(`unexpected Dovecot handshake line ${command.slice(0, 20)}`);
    }
  }

  #authenticate(): DovecotStep {
    const { username, password, service = "smtp" } = this.#request;
    if (`${username}${password}`.includes("\0")) {
      this.#state = "done";
      return { kind: "done", result: { kind: "rejected" } };
    }
    const response = encodeBase64(`\0${username}\0${password}`);
    this.#state = "authenticating";
    // `secured`: Tollgate offers AUTH only where its own policy allows plaintext
    // passwords (TLS or loopback); `nologin`: no IMAP/POP3 login follows;
    // `no-penalty`: without the client's IP, Dovecot's penalty after a failure
    // would slow every user's next login; Tollgate delays failures itself.
    const text = `AUTH\t${REQUEST_ID}\tPLAIN\tservice=${service}\tsecured\tnologin\tno-penalty\t` +
      `resp=${response}\n`;
    return { kind: "send", text };
  }

  #reply(command: string, args: string[]): DovecotStep {
    if (args[0] !== REQUEST_ID) {
      return this.#fail(`unexpected Dovecot reply ${command.slice(0, 20)}`);
    }
    const fields = new Map(
      args.slice(1).map((arg) => {
        const equals = arg.indexOf("=");
        return equals < 0
          ? [arg, ""]
          : [arg.slice(0, equals), unescapeDovecot(arg.slice(equals + 1))];
      }),
    );
    switch (command) {
      case "OK":
        this.#state = "done";
        return {
          kind: "done",
          result: { kind: "accepted", user: fields.get("user") || this.#request.username },
        };
      case "FAIL":
        if (fields.has("temp") || fields.get("code") === "temp_fail") {
          return this.#fail(`Dovecot: ${fields.get("reason") || "temporary failure"}`);
        }
        this.#state = "done";
        return { kind: "done", result: { kind: "rejected" } };
      default:
        return this.#fail(`unexpected Dovecot reply ${command.slice(0, 20)}`);
    }
  }

  #fail(reason: string): DovecotStep {
    this.#state = "done";
    return { kind: "done", result: { kind: "temporary-failure", reason } };
  }
}
