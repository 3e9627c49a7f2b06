/**
 * The shape of a server-side SASL mechanism: a pure step machine.
 *
 * @module
 */
import type { Credentials } from "./credentials.ts";

/**
 * The SASL mechanisms Tollgate's server offers.
 *
 * @example
 * ```ts
 * import { isMechanismName, type MechanismName } from "@tollgate/tollgate/auth";
 * const name: MechanismName | undefined = isMechanismName("PLAIN");
 * console.log(name, isMechanismName("GSSAPI")); // "PLAIN" undefined
 * ```
 */
export type MechanismName = "PLAIN" | "LOGIN" | "CRAM-MD5" | "XOAUTH2" | "OAUTHBEARER";

/**
 * One step of an exchange.
 *
 * - `challenge`: send `334 ` + base64(`challenge`) and wait for a line
 *   (`challenge` is the decoded text; an empty one is sent as `334 `).
 * - `done`: the credentials are complete; check them.
 * - `cancelled`: the client sent `*` (501).
 * - `malformed`: bad base64 or a missing field (501).
 *
 * @example
 * ```ts
 * import { createServerMechanism, type SaslStep } from "@tollgate/tollgate/auth";
 * const plain = createServerMechanism("PLAIN", {
 *   hostname: "h", now: 0, randomBytes: (n) => new Uint8Array(n),
 * });
 * console.log(plain.start()); // { kind: "challenge", challenge: "" }
 * const step: SaslStep = plain.next("*");
 * console.log(step); // { kind: "cancelled" }
 * ```
 */
export type SaslStep =
  | { kind: "challenge"; challenge: string }
  | { kind: "done"; credentials: Credentials }
  | { kind: "cancelled" }
  | { kind: "malformed" };

/**
 * A server-side mechanism, Go net/smtp style: `start`, then `next` per line.
 *
 * @example
 * ```ts
 * import { createServerMechanism } from "@tollgate/tollgate/auth";
 * const login = createServerMechanism("LOGIN", {
 *   hostname: "mail.domain.de", now: 0, randomBytes: (n) => new Uint8Array(n),
 * });
 * console.log(login.start()); // { kind: "challenge", challenge: "Username:" }
 * ```
 */
export interface ServerMechanism {
  /** The mechanism's name. */
  readonly name: MechanismName;
  /**
   * Begins the exchange. `initialResponse` is the base64 text from the AUTH
   * line (RFC 4954 §4), `=` meaning an empty response; absent if none was sent.
   */
  start(initialResponse?: string): SaslStep;
  /** Feeds the client's next line (base64, or `*` to cancel). */
  next(line: string): SaslStep;
}

/**
 * What mechanisms need from outside: passed in, never read from a global.
 *
 * @example
 * ```ts
 * import { createServerMechanism, type MechanismContext } from "@tollgate/tollgate/auth";
 * const context: MechanismContext = {
 *   hostname: "mail.example.net", now: Date.now(),
 *   randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
 * };
 * console.log(createServerMechanism("CRAM-MD5", context).name); // "CRAM-MD5"
 * ```
 */
export interface MechanismContext {
  /** The server's host name, for the CRAM-MD5 challenge. */
  hostname: string;
  /** The current time in ms since epoch. */
  now: number;
  /** A CSPRNG: returns `n` random bytes. */
  randomBytes: (n: number) => Uint8Array;
}
