/**
 * The server side of XOAUTH2 and OAUTHBEARER (RFC 7628): reading the bearer
 * token a client sends. Checking it is the verifier's job
 * (`auth/oauth_verifier.ts`); on failure the session sends RFC 7628's error
 * challenge and waits for the client's dummy response before `535`.
 *
 * @module
 */
import type { SaslStep, ServerMechanism } from "./sasl.ts";
import { isUsableUsername } from "./_client_response.ts";
import { PromptedExchange } from "./_prompted_exchange.ts";
import { type OAuthMechanismName, readOAuthMessage } from "./xoauth2.ts";

/**
 * XOAUTH2 or OAUTHBEARER: one message with the user and the bearer token,
 * usually as the initial response; without one the server asks with an
 * empty challenge (`334 `). A message that is not one, or a user name with
 * control characters, is `malformed`.
 *
 * @example
 * ```ts
 * import { encodeOAuthResponse, OAuthMechanism } from "@tollgate/tollgate/auth";
 * const mechanism = new OAuthMechanism("XOAUTH2");
 * const step = mechanism.start(encodeOAuthResponse("XOAUTH2", { user: "a@b.example", token: "t" }));
 * console.log(step.kind === "done" && step.credentials.username); // "a@b.example"
 * ```
 */
export class OAuthMechanism implements ServerMechanism {
  /** `XOAUTH2` or `OAUTHBEARER`. */
  readonly name: OAuthMechanismName;
  #exchange: PromptedExchange;

  /** A fresh exchange of the named mechanism. */
  constructor(name: OAuthMechanismName) {
    this.name = name;
    this.#exchange = new PromptedExchange({
      mechanism: name,
      prompts: [""],
      usable: () => true,
      finish: ([message]) => credentials(name, message),
    });
  }

  /** Reads the initial response, or asks for the message with an empty challenge. */
  start(initialResponse?: string): SaslStep {
    return this.#exchange.start(initialResponse);
  }

  /** Reads the message sent in answer to the empty challenge. */
  next(line: string): SaslStep {
    return this.#exchange.next(line);
  }
}

function credentials(name: OAuthMechanismName, message: string): SaslStep {
  const response = readOAuthMessage(name, message);
  if (response === undefined) return { kind: "malformed" };
  if (response.user !== "" && !isUsableUsername(response.user)) return { kind: "malformed" };
  return {
    kind: "done",
    credentials: { kind: "oauth", mechanism: name, username: response.user, token: response.token },
  };
}
