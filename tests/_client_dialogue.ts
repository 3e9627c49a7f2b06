/**
 * Runs a {@linkcode ClientSession} against a scripted fake server and checks
 * every byte the client sends, Go `net/smtp` style. A script reads like the
 * seed's telnet session:
 *
 * ```
 * S: 220 relay.test ESMTP      the server sends this line
 * C: EHLO tollgate.test        the client must have sent exactly this line
 * -- tls --                    the client asked for TLS; the handshake succeeds
 * -- timeout --                the session's deadline passes
 * -- lost --                   the connection drops
 * ```
 * Consecutive `S:` lines go to the session as one chunk. Before each chunk
 * (and at the end) the client's output so far must equal the `C:` lines
 * since the last check, CRLF included. `ready` is answered with the next
 * message, or QUIT when none is left; `send-body` with the message's body.
 *
 * @module
 */
import { equal } from "node:assert/strict";
import { ClientSession } from "../smtp/client_session.ts";
import type {
  ClientAction,
  ClientMessage,
  ClientSessionOptions,
  RecipientOutcome,
} from "../smtp/client_types.ts";

/** A message for the dialogue, with its body as text. */
export interface ScriptedMessage extends ClientMessage {
  body: string;
}

/** Everything the session did besides sending bytes. */
export interface DialogueResult {
  outcomes: RecipientOutcome[][];
  failed: string | undefined;
  progress: string[];
  closed: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs `script` and returns what the session reported; throws on any byte difference. */
export function runClientDialogue(
  options: ClientSessionOptions,
  script: string,
  messages: ScriptedMessage[] = [],
): DialogueResult {
  const session = new ClientSession(options);
  const result: DialogueResult = { outcomes: [], failed: undefined, progress: [], closed: false };
  const queue = [...messages];
  let now = 0;
  let sent = "";
  let expected = "";
  let startTls = false;

  const perform = (actions: ClientAction[]) => {
    const pending = [...actions];
    for (let action = pending.shift(); action; action = pending.shift()) {
      switch (action.kind) {
        case "send":
          sent += decoder.decode(action.bytes);
          break;
        case "start-tls":
          startTls = true;
          break;
        case "progress":
          result.progress.push(`${action.step} ${action.ok ? "ok" : "failed"}: ${action.detail}`);
          break;
        case "ready": {
          const message = queue.shift();
          pending.push(...(message ? session.send(message, now) : session.quit(now)));
          break;
        }
        case "send-body": {
          const body = messages[result.outcomes.length].body;
          pending.push(...session.bodyData(encoder.encode(body), now), ...session.bodyEnd(now));
          break;
        }
        case "message-done":
          result.outcomes.push(action.outcomes);
          break;
        case "failed":
          result.failed = action.reason;
          break;
        case "close":
          result.closed = true;
          break;
      }
    }
  };
  const check = (where: string) => {
    equal(
      sent,
      expected,
      `client bytes before ${where}: sent ${JSON.stringify(sent)}, ` +
        `expected ${JSON.stringify(expected)}`,
    );
    sent = "";
    expected = "";
  };

  perform(session.start(now));
  const lines = script.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    now += 1;
    if (line.startsWith("C: ") || line === "C:") {
      expected += `${line.slice(3)}\r\n`;
    } else if (line.startsWith("S: ")) {
      let chunk = "";
      for (; i < lines.length && lines[i].startsWith("S: "); i++) {
        chunk += `${lines[i].slice(3)}\r\n`;
      }
      i--;
      check(JSON.stringify(chunk));
      perform(session.receive(encoder.encode(chunk), now));
    } else if (line === "-- tls --") {
      check("the TLS handshake");
      equal(startTls, true, "the client asked for TLS");
      startTls = false;
      perform(session.tlsStarted(now));
    } else if (line === "-- timeout --") {
      check("the timeout");
      now = session.deadline ?? now;
      perform(session.timedOut(now));
    } else if (line === "-- lost --") {
      check("the connection loss");
      perform(session.connectionLost("connection reset by peer", now));
    } else {
      throw new TypeError(`Cannot read script line ${JSON.stringify(line)}`);
    }
  }
  check("the end of the script");
  return result;
}

/** Base64 of a string, for writing AUTH lines in scripts. */
export function b64(text: string): string {
  return btoa(text);
}
