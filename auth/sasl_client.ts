/**
 * The client side of SASL for SMTP AUTH (RFC 4954): PLAIN, LOGIN and
 * CRAM-MD5 as pure step machines in the style of Go's `net/smtp` — `start()`
 * gives the initial response, `next(challenge)` answers each `334`.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import type { MechanismName } from "./sasl.ts";
import { encodeHex } from "./_encoding.ts";
import {
  encodeOAuthResponse,
  oauthErrorAcknowledgement,
  type OAuthMechanismName,
} from "./xoauth2.ts";

/**
 * What the client may authenticate with: the password mechanisms and the OAuth 2.0 ones.
 *
 * @example
 * ```ts
 * import { chooseClientMechanism, type ClientMechanismName } from "@tollgate/tollgate/auth";
 * const allowed: ClientMechanismName[] = ["XOAUTH2", "PLAIN"];
 * console.log(chooseClientMechanism(["PLAIN", "XOAUTH2"], allowed)); // "XOAUTH2"
 * ```
 */
export type ClientMechanismName = MechanismName | OAuthMechanismName;

/**
 * The user name and password to authenticate with at a relay.
 *
 * @example
 * ```ts
 * import { type ClientCredentials, createClientMechanism } from "@tollgate/tollgate/auth";
 * const credentials: ClientCredentials = { username: "trottel", password: "ich" };
 * console.log(createClientMechanism("PLAIN", credentials).start()); // "AHRyb3R0ZWwAaWNo"
 * ```
 */
export interface ClientCredentials {
  /** The authentication identity. */
  username: string;
  /** The password (for XOAUTH2 and OAUTHBEARER: the access token). Never logged. */
  password: string;
}

/**
 * The answer to one `334` challenge.
 *
 * @example
 * ```ts
 * import type { SaslClientStep } from "@tollgate/tollgate/auth";
 * const step: SaslClientStep = { kind: "cancel", reason: "unexpected challenge" };
 * console.log(step.kind); // "cancel"
 * ```
 */
export type SaslClientStep =
  | { kind: "respond"; /** Base64 text to send as the next line. */ response: string }
  | { kind: "cancel"; /** Why, for the log (never a secret). */ reason: string };

/**
 * One client-side exchange.
 *
 * @example
 * ```ts
 * import { createClientMechanism } from "@tollgate/tollgate/auth";
 * const login = createClientMechanism("LOGIN", { username: "trottel", password: "ich" });
 * console.log(login.start()); // undefined (LOGIN waits for "334 VXNlcm5hbWU6")
 * console.log(login.next("VXNlcm5hbWU6")); // { kind: "respond", response: "dHJvdHRlbA==" }
 * ```
 */
export interface ClientMechanism {
  /** The mechanism's name, for `AUTH <name>`. */
  readonly name: ClientMechanismName;
  /** The initial response for the AUTH line (base64), or `undefined` to wait for a challenge. */
  start(): string | undefined;
  /** Answers a challenge: the base64 text after `334 `. */
  next(challenge: string): SaslClientStep;
}

/**
 * The client's preference when a route names no mechanisms: strongest first, as Hoffmann's.
 *
 * @example
 * ```ts
 * import { chooseClientMechanism, CLIENT_MECHANISM_PREFERENCE } from "@tollgate/tollgate/auth";
 * console.log(CLIENT_MECHANISM_PREFERENCE); // ["CRAM-MD5", "PLAIN", "LOGIN"]
 * console.log(chooseClientMechanism(["LOGIN", "PLAIN"], CLIENT_MECHANISM_PREFERENCE)); // "PLAIN"
 * ```
 */
export const CLIENT_MECHANISM_PREFERENCE: readonly MechanismName[] = ["CRAM-MD5", "PLAIN", "LOGIN"];

/**
 * Picks the first mechanism of `allowed` (in its order) that the server
 * offers; `undefined` if there is none.
 *
 * @example
 * ```ts
 * import { chooseClientMechanism } from "@tollgate/tollgate/auth";
 * console.log(chooseClientMechanism(["LOGIN", "PLAIN", "CRAM-MD5"])); // "CRAM-MD5"
 * console.log(chooseClientMechanism(["LOGIN", "PLAIN"], ["LOGIN", "PLAIN"])); // "LOGIN"
 * console.log(chooseClientMechanism(["GSSAPI"])); // undefined
 * ```
 */
export function chooseClientMechanism(
  offered: readonly string[],
  allowed: readonly ClientMechanismName[] = CLIENT_MECHANISM_PREFERENCE,
): ClientMechanismName | undefined {
  const upper = offered.map((name) => name.toUpperCase());
  return allowed.find((name) => upper.includes(name));
}

/**
 * Checks that credentials can be sent with every mechanism: a user name that
 * is not empty, and no NUL (which PLAIN uses as its separator).
 *
 * @throws {TypeError} If they cannot.
 *
 * @example
 * ```ts
 * import { assertUsableCredentials } from "@tollgate/tollgate/auth";
 * assertUsableCredentials({ username: "trottel", password: "ich" }); // no error
 * ```
 */
export function assertUsableCredentials(credentials: ClientCredentials): void {
  if (credentials.username === "") {
    throw new TypeError("Cannot authenticate: the user name is empty");
  }
  if (credentials.username.includes("\0") || credentials.password.includes("\0")) {
    throw new TypeError("Cannot authenticate: the user name or password contains NUL");
  }
}

/**
 * A fresh client mechanism for one exchange.
 *
 * - PLAIN sends `NUL user NUL password` as the initial response (RFC 4616).
 * - LOGIN answers the first challenge with the user name and the second with
 *   the password, whatever the prompts say (servers word them differently).
 * - CRAM-MD5 answers `user SP hex(HMAC-MD5(password, challenge))` (RFC 2195).
 * - XOAUTH2 and OAUTHBEARER send the access token (the `password`) as the
 *   initial response and answer the server's error challenge once with the
 *   dummy response, after which the server sends `535` or `454` (RFC 7628).
 *
 * @throws {TypeError} If {@linkcode assertUsableCredentials} does.
 *
 * @example
 * ```ts
 * import { createClientMechanism } from "@tollgate/tollgate/auth";
 * const cram = createClientMechanism("CRAM-MD5", { username: "tim", password: "tanstaaftanstaaf" });
 * // RFC 2195's example: the challenge is <1896.697170952@postoffice.reston.mci.net>.
 * console.log(cram.next("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"));
 * // { kind: "respond", response: "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw" }
 * ```
 */
export function createClientMechanism(
  name: ClientMechanismName,
  credentials: ClientCredentials,
): ClientMechanism {
  assertUsableCredentials(credentials);
  switch (name) {
    case "PLAIN":
      return new PlainClient(credentials);
    case "LOGIN":
      return new LoginClient(credentials);
    case "CRAM-MD5":
      return new CramMd5Client(credentials);
    case "XOAUTH2":
    case "OAUTHBEARER":
      return new OAuthClient(name, credentials);
  }
}

const ENCODER = new TextEncoder();

class PlainClient implements ClientMechanism {
  readonly name = "PLAIN";
  readonly #credentials: ClientCredentials;

  constructor(credentials: ClientCredentials) {
    this.#credentials = credentials;
  }

  start(): string {
    return encodeBase64(`\0${this.#credentials.username}\0${this.#credentials.password}`);
  }

  next(): SaslClientStep {
    return { kind: "cancel", reason: "the server sent a challenge after PLAIN's only message" };
  }
}

class LoginClient implements ClientMechanism {
  readonly name = "LOGIN";
  readonly #credentials: ClientCredentials;
  #answered = 0;

  constructor(credentials: ClientCredentials) {
    this.#credentials = credentials;
  }

  start(): undefined {
    return undefined;
  }

  next(): SaslClientStep {
    const fields = [this.#credentials.username, this.#credentials.password];
    const field = fields[this.#answered++];
    if (field === undefined) {
      return { kind: "cancel", reason: "the server sent a third LOGIN challenge" };
    }
    return { kind: "respond", response: encodeBase64(field) };
  }
}

class CramMd5Client implements ClientMechanism {
  readonly name = "CRAM-MD5";
  readonly #credentials: ClientCredentials;
  #answered = false;

  constructor(credentials: ClientCredentials) {
    this.#credentials = credentials;
  }

  start(): undefined {
    return undefined;
  }

  next(challenge: string): SaslClientStep {
    if (this.#answered) {
      return { kind: "cancel", reason: "the server sent a second CRAM-MD5 challenge" };
    }
    this.#answered = true;
    const bytes = decodeBase64(challenge);
    if (bytes === undefined || bytes.length === 0) {
      return { kind: "cancel", reason: "the CRAM-MD5 challenge is not base64" };
    }
    const digest = encodeHex(hmac(md5, ENCODER.encode(this.#credentials.password), bytes));
    return { kind: "respond", response: encodeBase64(`${this.#credentials.username} ${digest}`) };
  }
}

class OAuthClient implements ClientMechanism {
  readonly name: OAuthMechanismName;
  readonly #credentials: ClientCredentials;
  #answered = false;

  constructor(name: OAuthMechanismName, credentials: ClientCredentials) {
    this.name = name;
    this.#credentials = credentials;
  }

  start(): string {
    const { username: user, password: token } = this.#credentials;
    return encodeOAuthResponse(this.name, { user, token });
  }

  next(): SaslClientStep {
    if (this.#answered) {
      return { kind: "cancel", reason: `the server sent a second ${this.name} challenge` };
    }
    this.#answered = true; // the token was refused: acknowledge, then the server sends 535/454
    return { kind: "respond", response: oauthErrorAcknowledgement(this.name) };
  }
}
