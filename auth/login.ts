/**
 * The server side of the non-standard but ubiquitous LOGIN mechanism
 * (draft-murchison-sasl-login), as qmail-smtpd-auth speaks it.
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
  #state: "new" | "username" | "password" | "ended" = "new";
  #username = "";

  /** Asks for the user name, or takes it from the initial response and asks for the password. */
  start(initialResponse?: string): SaslStep {
    if (this.#state !== "new") throw alreadyStartedError(this.name);
    if (initialResponse === undefined) {
      this.#state = "username";
      return { kind: "challenge", challenge: "Username:" };
    }
    return this.#takeUsername(readInitialResponse(initialResponse));
  }

  /** Takes the user name, then the password. */
  next(line: string): SaslStep {
    if (this.#state === "username") return this.#takeUsername(readContinuation(line));
    if (this.#state === "password") return this.#takePassword(readContinuation(line));
    throw notWaitingError(this.name);
  }

  #takeUsername(response: ClientResponse): SaslStep {
    const field = response.kind === "text" && !isUsableUsername(response.text)
      ? { kind: "malformed" as const }
      : response;
    if (field.kind !== "text") {
      this.#state = "ended";
      return field;
    }
    this.#username = field.text;
    this.#state = "password";
    return { kind: "challenge", challenge: "Password:" };
  }

  #takePassword(response: ClientResponse): SaslStep {
    this.#state = "ended";
    const field = usableText(response);
    if (field.kind !== "text") return field;
    return {
      kind: "done",
      credentials: {
        kind: "password",
        mechanism: "LOGIN",
        username: this.#username,
        password: field.text,
      },
    };
  }
}

function usableText(response: ClientResponse): ClientResponse {
  if (response.kind === "text" && !isUsableField(response.text)) return { kind: "malformed" };
  return response;
}
