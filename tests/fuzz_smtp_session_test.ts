import { equal, ok } from "node:assert/strict";
import fc from "fast-check";
import { encodeBase64 } from "../auth/base64.ts";
import { ServerSession } from "../smtp/server_session.ts";
import type { AuthAnswer, SessionAction } from "../smtp/server_types.ts";
import { concatBytes, fuzzParameters, splitAt } from "./_fuzz.ts";

const encoder = new TextEncoder();

/** Lines a client (honest, confused or hostile) may send, as text. */
const COMMANDS = [
  "EHLO client.example",
  "HELO client.example",
  "EHLO",
  "MAIL FROM:<test@domain.de>",
  "MAIL FROM:<>",
  "MAIL FROM:<other@example.org> SIZE=99999999",
  "MAIL FROM:<a@b.de> BODY=8BITMIME SMTPUTF8",
  "RCPT TO:<friend@example.org>",
  "RCPT TO:<postmaster>",
  "RCPT TO:<@relay.example:c@d.de> NOTIFY=NEVER",
  "DATA",
  "DATA now",
  "RSET",
  "NOOP",
  "VRFY root",
  "HELP",
  "QUIT",
  "STARTTLS",
  "AUTH PLAIN",
  `AUTH PLAIN ${encodeBase64("\0test@domain.de\0secret")}`,
  "AUTH PLAIN =",
  "AUTH LOGIN",
  `AUTH LOGIN ${encodeBase64("test@domain.de")}`,
  "AUTH CRAM-MD5",
  "AUTH NTLM",
  encodeBase64("test@domain.de"),
  encodeBase64("secret"),
  encodeBase64("evil\r\n250 injected@domain.de"),
  `AUTH PLAIN ${encodeBase64(`\0${"u".repeat(600)}@domain.de\0secret`)}`,
  `test@domain.de ${"0".repeat(32)}`,
  encodeBase64(`test@domain.de ${"a".repeat(32)}`),
  "*",
  "GET / HTTP/1.1",
  "BDAT 10 LAST",
  "NOOP \u0000",
  "MAIL FROM:<j\u00f6rg@domain.de>",
  "x".repeat(600),
  "Subject: hi",
  "",
  ".",
  "..stuffed",
  "Received: from a by b",
];
/** How a line ends: mostly right, sometimes bare, sometimes not at all (pipelined into the next). */
const ENDINGS = ["\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", ""];

/** User names a client may claim; the fuzzed verifier accepts some of them as sent. */
// The last two would forge reply lines or overlong ones if a user name were echoed unchecked.
const USERNAMES = [
  "test@domain.de",
  "Test@Domain.DE",
  "x",
  "evil\r\n250 injected",
  "u".repeat(610),
];
const username = fc.constantFrom(...USERNAMES);

/** Runs of lines that belong together, so that deep states (AUTH, DATA) are reached often. */
const phrase = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...COMMANDS).map((line) => [line]) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map((line) => [line]) },
  {
    weight: 2,
    arbitrary: fc.tuple(username, fc.string({ maxLength: 8 })).map(([user, password]) => [
      "AUTH LOGIN",
      encodeBase64(user),
      encodeBase64(password),
    ]),
  },
  {
    weight: 2,
    arbitrary: username.map((user) => [`AUTH PLAIN ${encodeBase64(`\0${user}\0secret`)}`]),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constantFrom("test@domain.de", "other@example.org", ""),
      fc.array(fc.constantFrom("friend@example.org", "c@d.de"), { minLength: 1, maxLength: 5 }),
      fc.array(fc.constantFrom("Subject: x", "", "..dot", "text", "x".repeat(1000)), {
        maxLength: 6,
      }),
    ).map(([from, to, body]) => [
      `MAIL FROM:<${from}>`,
      ...to.map((rcpt) => `RCPT TO:<${rcpt}>`),
      "DATA",
      ...body,
      ".",
    ]),
  },
);
const clientInput = fc.array(
  fc.tuple(phrase, fc.constantFrom(...ENDINGS)).map(([lines, ending]) =>
    lines.map((line) => line + ending).join("")
  ),
  { maxLength: 25 },
).map((phrases) => encoder.encode(["EHLO client.example\r\n", ...phrases].join("")));
/** Raw bytes: anything at all, including invalid UTF-8. */
const rawInput = fc.uint8Array({ maxLength: 300 });

/** The adapter's answers, chosen by the fuzzer, used in turn. */
interface Answers {
  choices: number[];
  next: number;
}

function pick<T>(answers: Answers, options: readonly T[]): T {
  const choice = answers.choices[answers.next++ % answers.choices.length];
  return options[choice % options.length];
}

const REPLY_LINE = /^([2-5][0-9][0-9])([ -])[\x20-\x7e]*$/;

/** One or more reply lines: same code throughout, `-` on all but the last, at most 512 octets each. */
function assertWellFormedReply(text: string): void {
  ok(text.endsWith("\r\n"), `reply ends in CRLF: ${JSON.stringify(text)}`);
  const lines = text.slice(0, -2).split("\r\n");
  const codes = new Set<string>();
  lines.forEach((line, index) => {
    const match = REPLY_LINE.exec(line);
    ok(match, `well-formed reply line: ${JSON.stringify(line)}`);
    codes.add(match[1]);
    equal(match[2], index === lines.length - 1 ? " " : "-", JSON.stringify(text));
    ok(line.length + 2 <= 512, `reply line over 512 octets: ${JSON.stringify(line)}`);
  });
  equal(codes.size, 1, JSON.stringify(text));
}

/** Only CRLF line ends, and the body is empty or ends with one. */
function isCleanBody(body: Uint8Array): boolean {
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 13 && body[i + 1] !== 10) return false;
    if (body[i] === 10 && (i === 0 || body[i - 1] !== 13)) return false;
  }
  return body.length === 0 || body[body.length - 1] === 10;
}

/**
 * Plays the adapter: answers every request with the fuzzer's choices and
 * checks the session's actions as they come. Returns the replies sent.
 */
function drive(pieces: Uint8Array[], answers: Answers, startTls: boolean): string[] {
  const now = 1_700_000_000_000;
  const session = new ServerSession({
    hostname: "mail.domain.de",
    clientAddress: "192.0.2.1",
    maxMessageBytes: 400,
    authMechanisms: ["PLAIN", "LOGIN", "CRAM-MD5"],
    startTls,
    authFailureDelayMs: 0,
    randomBytes: (n) => new Uint8Array(n).fill(7),
    maxRecipients: 3,
  });
  const replies: string[] = [];
  let ended = false;
  let message: Uint8Array[] | undefined;
  let storedAnswer: "stored" | "failed" | undefined;

  const run = (actions: SessionAction[]): void => {
    actions.forEach((action, index) => {
      ok(!ended, `no action after close or start-tls: ${action.kind}`);
      const isRequest = ["verify-credentials", "check-sender", "check-recipient", "message-end"]
        .includes(action.kind);
      if (isRequest) equal(index, actions.length - 1, `${action.kind} is the last action`);
      handle(action);
    });
  };
  const handle = (action: SessionAction): void => {
    switch (action.kind) {
      case "send":
        assertWellFormedReply(action.text);
        if (storedAnswer !== undefined) {
          const expected = storedAnswer === "stored" ? /^250 / : /^45[12] /;
          ok(expected.test(action.text), `reply to the stored message: ${action.text}`);
          storedAnswer = undefined;
        }
        replies.push(action.text);
        return;
      case "wait":
        return;
      case "verify-credentials": {
        const answer = pick<AuthAnswer>(answers, [
          { kind: "accepted", user: action.credentials.username },
          { kind: "rejected" },
          { kind: "temporary-failure", reason: "fuzz" },
          { kind: "locked-out" },
        ]);
        return run(session.credentialsVerified(answer, now));
      }
      case "check-sender":
        return run(session.senderChecked(
          pick(
            answers,
            [{ kind: "accept" }, { kind: "reject" }, {
              kind: "temporary-failure",
              reason: "fuzz",
            }] as const,
          ),
          now,
        ));
      case "check-recipient":
        return run(session.recipientChecked(
          pick(
            answers,
            [
              { kind: "accept", because: "local" },
              { kind: "unknown-user" },
              { kind: "relay-denied" },
              { kind: "temporary-failure", reason: "fuzz" },
            ] as const,
          ),
          now,
        ));
      case "message-begin":
        equal(message, undefined, "no message inside a message");
        message = [];
        return;
      case "message-data":
        ok(message, "message data only inside a message");
        message.push(action.bytes.slice());
        return;
      case "message-end": {
        ok(message, "message end only inside a message");
        const [header, ...body] = message;
        ok(new TextDecoder().decode(header).startsWith("Received: "));
        ok(
          isCleanBody(concatBytes(body)),
          "a message ends only after CRLF.CRLF, with no bare CR/LF",
        );
        ok(action.envelope.to.length >= 1 && action.envelope.to.length <= 3);
        message = undefined;
        const result = pick(
          answers,
          [
            { kind: "stored", id: "fuzz-id" },
            { kind: "failed", reason: "fuzz" },
            { kind: "failed", reason: "fuzz", storageFull: true },
          ] as const,
        );
        storedAnswer = result.kind;
        return run(session.messageStored(result, now));
      }
      case "message-abort":
        ok(message, "abort only inside a message");
        message = undefined;
        return;
      case "start-tls":
      case "close":
        ended = true;
        ok(session.closed);
        return;
    }
  };

  run(session.start());
  for (const piece of pieces) {
    if (session.closed) {
      equal(session.receive(piece, now).length, 0, "a closed session ignores input");
      continue;
    }
    run(session.receive(piece, now));
  }
  if (!session.closed) run(session.connectionLost());
  equal(message, undefined, "no message left open when the connection is gone");
  return replies;
}

const answerChoices = fc.array(fc.nat(), { minLength: 1, maxLength: 20 });

Deno.test("fuzz ServerSession: random command sequences, split anywhere, get well-formed replies and nothing else", () => {
  fc.assert(
    fc.property(
      clientInput,
      fc.array(fc.nat(), { maxLength: 10 }),
      answerChoices,
      fc.boolean(),
      (input, cuts, choices, startTls) => {
        const replies = drive(splitAt(input, cuts), { choices, next: 0 }, startTls);
        ok(replies[0].startsWith("220 "));
      },
    ),
    fuzzParameters(2000),
  );
});

Deno.test("fuzz ServerSession: random bytes get well-formed replies and nothing else", () => {
  fc.assert(
    fc.property(
      rawInput,
      fc.array(fc.nat(), { maxLength: 6 }),
      answerChoices,
      (input, cuts, choices) => {
        drive(splitAt(input, cuts), { choices, next: 0 }, false);
      },
    ),
    fuzzParameters(2000),
  );
});

Deno.test("fuzz ServerSession: a message is answered 250 only once its data ended with CRLF.CRLF", () => {
  const body = fc.array(
    fc.constantFrom(
      "Subject: x\r\n",
      "\r\n",
      "\n",
      "\r",
      ".",
      "..",
      "\n.\n",
      "\r.\r",
      "\n.\r\n",
      "text",
    ),
    { maxLength: 12 },
  ).map((tokens) => tokens.join(""));
  fc.assert(
    fc.property(body, fc.array(fc.nat(), { maxLength: 8 }), (data, cuts) => {
      const text = "EHLO c\r\nMAIL FROM:<a@b.de>\r\nRCPT TO:<c@d.de>\r\nDATA\r\n" + data;
      const replies = drive(splitAt(encoder.encode(text), cuts), { choices: [0], next: 0 }, false);
      const accepted = replies.some((reply) => reply.startsWith("250 2.0.0 ok 1700000000 qp "));
      const framed = `\r\n${data}`;
      const end = framed.indexOf("\r\n.\r\n");
      equal(accepted, end >= 0 && !/\r(?!\n)|(?<!\r)\n/.test(framed.slice(0, end + 2)));
    }),
    fuzzParameters(2000),
  );
});
