/**
 * The server side of the non-standard but ubiquitous LOGIN mechanism
 * (draft-murchison-sasl-login), as qmail-smtpd-auth speaks it.
 *
 * @module
 */
import type { SaslStep, ServerMechanism } from "./sasl.ts";
import { isUsableField, isUsableUsername } from "./_client_response.ts";
import { PromptedExchange } from "./_prompted_exchange.ts";

/**
 * LOGIN: the server asks `Username:` (`334 VXNlcm5hbWU6`), then `Password:`
 * (`334 UGFzc3dvcmQ6`). An initial response (`AUTH LOGIN dGVzdA==`) is the
 * user name. An empty field, or one holding NUL, is `malformed`.
 *
 * @example
 * ```ts
 * import { LoginMechanism } from "@tollgate/tollgate/auth";
 * const login = new LoginMechanism();
 * console.log(login.start()); // { kind: "challenge", challenge: "Username:" }
 * console.log(login.next("dGVzdEBkb21haW4uZGU=")); // { kind: "challenge", challenge: "Password:" }
 * const step = login.next("dGVzdGluZw==");
 * console.log(step.kind === "done" && step.credentials.username); // "test@domain.de"
 * ```
 */
export class LoginMechanism implements ServerMechanism {
  /** Always `LOGIN`. */
  readonly name = "LOGIN";
  #exchange = new PromptedExchange({
    mechanism: "LOGIN",
    prompts: ["Username:", "Password:"],
    usable: (text, index) => index === 0 ? isUsableUsername(text) : isUsableField(text),
    finish: ([username, password]) => ({
      kind: "done",
      credentials: { kind: "password", mechanism: "LOGIN", username, password },
    }),
  });

  /** Asks for the user name, or takes it from the initial response and asks for the password. */
  start(initialResponse?: string): SaslStep {
    return this.#exchange.start(initialResponse);
  }

  /** Takes the user name, then the password. */
  next(line: string): SaslStep {
    return this.#exchange.next(line);
  }
}
