/**
 * The server side of SASL PLAIN (RFC 4616).
 *
 * @module
 */
import type { SaslStep, ServerMechanism } from "./sasl.ts";
import { isUsableField, isUsableUsername } from "./_client_response.ts";
import { PromptedExchange } from "./_prompted_exchange.ts";

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
  #exchange = new PromptedExchange({
    mechanism: "PLAIN",
    prompts: [""],
    usable: () => true,
    finish: ([message]) => credentials(message),
  });

  /** Parses the initial response, or asks for the message with an empty challenge. */
  start(initialResponse?: string): SaslStep {
    return this.#exchange.start(initialResponse);
  }

  /** Parses the message sent in answer to the empty challenge. */
  next(line: string): SaslStep {
    return this.#exchange.next(line);
  }
}

function credentials(message: string): SaslStep {
  const fields = message.split("\0");
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
