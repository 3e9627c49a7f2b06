/**
 * The server side of SASL PLAIN (RFC 4616).
 *
 * @module
 */
import type { SaslStep, ServerMechanism } from "./sasl.ts";
import {
  alreadyStartedError,
  type ClientResponse,
  isUsableField,
  isUsableUsername,
  notWaitingError,
  readContinuation,
  readInitialResponse,
} from "./_client_response.ts";

/**
 * PLAIN: one message, `authzid NUL authcid NUL passwd`.
 *
 * Without an initial response the server asks with an empty challenge
 * (`334 `). Tollgate does not let one user act as another, so the
 * authorisation identity must be empty or equal the user name (ignoring case);
 * anything else, like a missing field, is `malformed`.
 *
 * @example
 * ```ts
 * import { PlainMechanism } from "@tollgate/tollgate/auth";
 * const plain = new PlainMechanism();
 * const step = plain.start("AHRlc3RAZG9tYWluLmRlAHRlc3Rpbmc="); // "\0test@domain.de\0testing"
 * console.log(step.kind === "done" && step.credentials.username); // "test@domain.de"
 * ```
 */
export class PlainMechanism implements ServerMechanism {
  /** Always `PLAIN`. */
  readonly name = "PLAIN";
  #state: "new" | "waiting" | "ended" = "new";

  /** Parses the initial response, or asks for the message with an empty challenge. */
  start(initialResponse?: string): SaslStep {
    if (this.#state !== "new") throw alreadyStartedError(this.name);
    if (initialResponse === undefined) {
      this.#state = "waiting";
      return { kind: "challenge", challenge: "" };
    }
    return this.#finish(readInitialResponse(initialResponse));
  }

  /** Parses the message sent in answer to the empty challenge. */
  next(line: string): SaslStep {
    if (this.#state !== "waiting") throw notWaitingError(this.name);
    return this.#finish(readContinuation(line));
  }

  #finish(response: ClientResponse): SaslStep {
    this.#state = "ended";
    if (response.kind !== "text") return response;
    const fields = response.text.split("\0");
    if (fields.length !== 3) return { kind: "malformed" };
    const [authzid, username, password] = fields;
    if (!isUsableUsername(username) || !isUsableField(password)) return { kind: "malformed" };
    if (authzid !== "" && authzid.toLowerCase() !== username.toLowerCase()) {
      return { kind: "malformed" };
    }
    return {
      kind: "done",
      credentials: { kind: "password", mechanism: "PLAIN", username, password },
    };
  }
}
