/**
 * The exchange PLAIN and LOGIN share: the server sends a fixed series of
 * prompts and reads one base64 field in answer to each; an initial response
 * answers the first prompt.
 *
 * @module
 */
import type { SaslStep } from "./sasl.ts";
import {
  alreadyStartedError,
  type ClientResponse,
  notWaitingError,
  readContinuation,
  readInitialResponse,
} from "./_client_response.ts";

/** What a mechanism asks, and how it reads the answers. */
export interface PromptedExchangeOptions {
  /** The mechanism's name, for the errors of misuse. */
  mechanism: string;
  /** The challenges, one per field, in order (`""` is the empty challenge `334 `). */
  prompts: readonly string[];
  /** Whether the answer to prompt `index` is usable; if not, the exchange ends `malformed`. */
  usable: (text: string, index: number) => boolean;
  /** Makes the last step from all the fields, once every prompt is answered. */
  finish: (fields: string[]) => SaslStep;
}

/**
 * One server-side exchange of prompts and answers; `start` and `next` as in
 * `ServerMechanism`. A cancel (`*`), bad base64 or an unusable field ends it.
 *
 * @example
 * ```ts
 * import { PromptedExchange } from "./_prompted_exchange.ts";
 * const exchange = new PromptedExchange({
 *   mechanism: "LOGIN", prompts: ["Username:", "Password:"], usable: (text) => text !== "",
 *   finish: ([username, password]) => ({
 *     kind: "done", credentials: { kind: "password", mechanism: "LOGIN", username, password },
 *   }),
 * });
 * console.log(exchange.start()); // { kind: "challenge", challenge: "Username:" }
 * ```
 */
export class PromptedExchange {
  #options: PromptedExchangeOptions;
  #state: "new" | "waiting" | "ended" = "new";
  #fields: string[] = [];

  /** An exchange that has not started. */
  constructor(options: PromptedExchangeOptions) {
    this.#options = options;
  }

  /** Sends the first prompt, or takes the initial response as its answer. */
  start(initialResponse?: string): SaslStep {
    if (this.#state !== "new") throw alreadyStartedError(this.#options.mechanism);
    this.#state = "waiting";
    if (initialResponse === undefined) {
      return { kind: "challenge", challenge: this.#options.prompts[0] };
    }
    return this.#take(readInitialResponse(initialResponse));
  }

  /** Takes the answer to the prompt sent last. */
  next(line: string): SaslStep {
    if (this.#state !== "waiting") throw notWaitingError(this.#options.mechanism);
    return this.#take(readContinuation(line));
  }

  #take(response: ClientResponse): SaslStep {
    const { prompts, usable, finish } = this.#options;
    if (response.kind === "text" && !usable(response.text, this.#fields.length)) {
      response = { kind: "malformed" };
    }
    if (response.kind !== "text") {
      this.#state = "ended";
      return response;
    }
    this.#fields.push(response.text);
    if (this.#fields.length < prompts.length) {
      return { kind: "challenge", challenge: prompts[this.#fields.length] };
    }
    this.#state = "ended";
    return finish(this.#fields);
  }
}
