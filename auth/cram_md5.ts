/**
 * The server side of SASL CRAM-MD5 (RFC 2195).
 *
 * @module
 */
import type { MechanismContext, SaslStep, ServerMechanism } from "./sasl.ts";
import {
  alreadyStartedError,
  isUsableUsername,
  notWaitingError,
  readContinuation,
} from "./_client_response.ts";
import { encodeHex } from "./_encoding.ts";

const RESPONSE_SHAPE = /^(.+) ([0-9a-fA-F]{32})$/s;

/**
 * CRAM-MD5: the server sends `<RANDOM.TIME@hostname>`, the client answers
 * `user SP hex(HMAC-MD5(password, challenge))`.
 *
 * RANDOM is 16 hex digits from `ctx.randomBytes(8)`, TIME the Unix time in
 * seconds from `ctx.now`. The mechanism has no initial response (RFC 2195), so
 * one is `malformed`. The digest is passed on lower-cased; the user name is
 * everything before the last space.
 *
 * @example
 * ```ts
 * import { CramMd5Mechanism } from "@tollgate/tollgate/auth";
 * const cram = new CramMd5Mechanism({
 *   hostname: "mail.domain.de", now: 1_028_301_386_000, randomBytes: (n) => new Uint8Array(n),
 * });
 * console.log(cram.start());
 * // { kind: "challenge", challenge: "<0000000000000000.1028301386@mail.domain.de>" }
 * ```
 */
export class CramMd5Mechanism implements ServerMechanism {
  /** Always `CRAM-MD5`. */
  readonly name = "CRAM-MD5";
  #context: MechanismContext;
  #state: "new" | "waiting" | "ended" = "new";
  #challenge = "";

  /** Uses `context` for the challenge's host name, time and randomness. */
  constructor(context: MechanismContext) {
    this.#context = context;
  }

  /** Sends the challenge; an initial response is a protocol error. */
  start(initialResponse?: string): SaslStep {
    if (this.#state !== "new") throw alreadyStartedError(this.name);
    if (initialResponse !== undefined) {
      this.#state = "ended";
      return { kind: "malformed" };
    }
    const { hostname, now, randomBytes } = this.#context;
    const seconds = Math.floor(now / 1000);
    this.#challenge = `<${encodeHex(randomBytes(8))}.${seconds}@${hostname}>`;
    this.#state = "waiting";
    return { kind: "challenge", challenge: this.#challenge };
  }

  /** Parses `user SP digest`. */
  next(line: string): SaslStep {
    if (this.#state !== "waiting") throw notWaitingError(this.name);
    this.#state = "ended";
    const response = readContinuation(line);
    if (response.kind !== "text") return response;
    const match = RESPONSE_SHAPE.exec(response.text);
    if (match === null || !isUsableUsername(match[1])) return { kind: "malformed" };
    return {
      kind: "done",
      credentials: {
        kind: "cram-md5",
        mechanism: "CRAM-MD5",
        username: match[1],
        challenge: this.#challenge,
        digest: match[2].toLowerCase(),
      },
    };
  }
}
