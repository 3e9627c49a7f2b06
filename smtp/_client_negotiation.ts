/**
 * The client session's opening: greeting, EHLO (HELO if refused), STARTTLS
 * and AUTH, with the rule that credentials never go over a connection
 * without TLS unless the route says `none` or the relay is on loopback.
 *
 * @module
 */
import {
  chooseClientMechanism,
  CLIENT_MECHANISM_PREFERENCE,
  type ClientMechanism,
  createClientMechanism,
} from "../auth/sasl_client.ts";
import {
  NO_CAPABILITIES,
  parseCapabilities,
  type ServerCapabilities,
} from "./client_capabilities.ts";
import type {
  ClientAction,
  ClientSessionOptions,
  ClientStep,
  ClientTimeouts,
  Expectation,
} from "./client_types.ts";
import { replyText, type SmtpReply } from "./reply_reader.ts";

/** How the negotiation acts on its session. */
export interface NegotiationHooks {
  /** Sends one command line (without CRLF). */
  send(line: string, out: ClientAction[]): void;
  /** Waits for the reply to the command just sent. */
  expect(expectation: Expectation): void;
  /** `220` to STARTTLS: upgrade now. */
  handshake(out: ClientAction[]): void;
  /** Negotiation is complete. */
  ready(out: ClientAction[]): void;
  /** Gives up (the session sends QUIT). */
  fail(reason: string, out: ClientAction[]): void;
}

/** Greeting, EHLO/HELO, STARTTLS and AUTH for one session. */
export class Negotiation {
  readonly #options: ClientSessionOptions;
  readonly #timeouts: ClientTimeouts;
  readonly #hooks: NegotiationHooks;
  #capabilities: ServerCapabilities | undefined;
  #tlsActive: boolean;
  #withoutTls = "the route's TLS mode is none";

  constructor(options: ClientSessionOptions, timeouts: ClientTimeouts, hooks: NegotiationHooks) {
    this.#options = options;
    this.#timeouts = timeouts;
    this.#hooks = hooks;
    this.#tlsActive = options.tls === "implicit";
  }

  /** The last EHLO reply's capabilities; `undefined` before one arrived. */
  get capabilities(): ServerCapabilities | undefined {
    return this.#capabilities;
  }

  /** The expectation for the server's greeting. */
  greeting(): Expectation {
    return this.#expectation("greeting", this.#timeouts.greeting, (reply, out) => {
      if (reply.code !== 220) {
        progress(out, "greeting", false, replyText(reply));
        return this.#hooks.fail(`the relay refused the session: ${replyText(reply)}`, out);
      }
      progress(out, "greeting", true, replyText(reply));
      this.#ehlo(out);
    });
  }

  /** The TLS handshake succeeded: EHLO again; earlier capabilities no longer count. */
  tlsStarted(out: ClientAction[]): void {
    this.#tlsActive = true;
    this.#capabilities = undefined;
    this.#ehlo(out);
  }

  #ehlo(out: ClientAction[]): void {
    this.#hooks.send(`EHLO ${this.#options.ehloName}`, out);
    this.#hooks.expect(this.#expectation("EHLO", this.#timeouts.command, (reply, out) => {
      if (reply.code === 250) {
        this.#capabilities = parseCapabilities(reply.lines);
        progress(out, "ehlo", true, describe(this.#capabilities));
        return this.#afterHello(out);
      }
      if (reply.code < 500 || this.#tlsActive) {
        progress(out, "ehlo", false, replyText(reply));
        return this.#hooks.fail(`EHLO refused: ${replyText(reply)}`, out);
      }
      progress(out, "ehlo", false, `${replyText(reply)}; trying HELO`);
      this.#helo(out);
    }));
  }

  #helo(out: ClientAction[]): void {
    this.#hooks.send(`HELO ${this.#options.ehloName}`, out);
    this.#hooks.expect(this.#expectation("HELO", this.#timeouts.command, (reply, out) => {
      progress(out, "helo", reply.code === 250, replyText(reply));
      if (reply.code !== 250) return this.#hooks.fail(`HELO refused: ${replyText(reply)}`, out);
      this.#capabilities = NO_CAPABILITIES;
      this.#afterHello(out);
    }));
  }

  #afterHello(out: ClientAction[]): void {
    const { tls, skipStartTls } = this.#options;
    const wantsTls = (tls === "starttls" || tls === "opportunistic") && !skipStartTls;
    if (this.#tlsActive || !wantsTls) {
      if (skipStartTls) this.#withoutTls = "the TLS handshake failed on an earlier connection";
      return this.#authenticate(out);
    }
    if (!this.#capabilities?.startTls) {
      this.#withoutTls = "the relay does not offer STARTTLS";
      if (tls === "starttls") {
        progress(out, "starttls", false, "not offered");
        return this.#hooks.fail("the relay does not offer STARTTLS, which the route requires", out);
      }
      progress(out, "starttls", false, "not offered; going on without TLS");
      return this.#authenticate(out);
    }
    this.#hooks.send("STARTTLS", out);
    this.#hooks.expect(this.#expectation("STARTTLS", this.#timeouts.command, (reply, out) => {
      if (reply.code === 220) {
        progress(out, "starttls", true, replyText(reply));
        return this.#hooks.handshake(out);
      }
      this.#withoutTls = `the relay refused STARTTLS: ${replyText(reply)}`;
      if (tls === "starttls") {
        progress(out, "starttls", false, replyText(reply));
        return this.#hooks.fail(`STARTTLS refused: ${replyText(reply)}`, out);
      }
      progress(out, "starttls", false, `${replyText(reply)}; going on without TLS`);
      this.#authenticate(out);
    }));
  }

  #authenticate(out: ClientAction[]): void {
    const { auth, tls, peerIsLoopback } = this.#options;
    if (auth === undefined) return this.#hooks.ready(out);
    if (!this.#tlsActive && tls !== "none" && !peerIsLoopback) {
      progress(out, "auth", false, `not attempted: ${this.#withoutTls}`);
      return this.#hooks.fail(
        `credentials are never sent without TLS, and ${this.#withoutTls}`,
        out,
      );
    }
    const offered = this.#capabilities?.auth ?? [];
    const allowed = auth.mechanisms ?? CLIENT_MECHANISM_PREFERENCE;
    const name = chooseClientMechanism(offered, allowed);
    if (name === undefined) {
      const detail = `the relay offers ${offered.length ? offered.join(" ") : "no AUTH"}; ` +
        `allowed: ${allowed.join(" ")}`;
      progress(out, "auth", false, detail);
      return this.#hooks.fail(`no AUTH mechanism in common: ${detail}`, out);
    }
    const mechanism = createClientMechanism(name, auth);
    const initial = mechanism.start();
    this.#hooks.send(`AUTH ${name}${initial === undefined ? "" : ` ${initial}`}`, out);
    this.#hooks.expect(this.#authReply(mechanism));
  }

  #authReply(mechanism: ClientMechanism): Expectation {
    const who = `AUTH ${mechanism.name} as ${JSON.stringify(this.#options.auth?.username)}`;
    return this.#expectation("AUTH", this.#timeouts.command, (reply, out) => {
      if (reply.code >= 200 && reply.code < 300) {
        progress(out, "auth", true, `${who}: ${replyText(reply)}`);
        return this.#hooks.ready(out);
      }
      if (reply.code !== 334) {
        progress(out, "auth", false, `${who}: ${replyText(reply)}`);
        return this.#hooks.fail(`${who} rejected by the relay: ${replyText(reply)}`, out);
      }
      const step = mechanism.next(reply.lines[0]);
      if (step.kind === "respond") {
        this.#hooks.send(step.response, out);
        this.#hooks.expect(this.#authReply(mechanism));
        return;
      }
      this.#hooks.send("*", out);
      this.#hooks.expect(this.#expectation("AUTH", this.#timeouts.command, (reply, out) => {
        progress(out, "auth", false, `${who}: cancelled, ${step.reason}`);
        this.#hooks.fail(`${who} cancelled: ${step.reason} (${replyText(reply)})`, out);
      }));
    });
  }

  #expectation(
    command: string,
    timeout: number,
    onReply: (reply: SmtpReply, out: ClientAction[]) => void,
  ): Expectation {
    return { command, timeout, onReply };
  }
}

function progress(out: ClientAction[], step: ClientStep, ok: boolean, detail: string): void {
  out.push({ kind: "progress", step, ok, detail });
}

function describe(caps: ServerCapabilities): string {
  const words = caps.keywords.map((keyword) =>
    keyword === "AUTH"
      ? `AUTH ${caps.auth.join(" ")}`
      : keyword === "SIZE" && caps.size
      ? `SIZE ${caps.size}`
      : keyword
  );
  return words.length === 0 ? "no extensions" : words.join(", ");
}
