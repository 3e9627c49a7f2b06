/**
 * The hostile-input suite: each input, sent in one packet after the
 * greeting, with the replies it must get (as prefixes) and whether the
 * server must close the connection afterwards. Played through the real
 * session and connection driver; nothing is ever queued from these.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { dialogueServer } from "./_dialogue.ts";

interface HostileCase {
  name: string;
  input: string;
  replies: string[];
  closes: boolean;
}

const SESSION_START =
  "EHLO attacker.test\r\nMAIL FROM:<x@example.org>\r\nRCPT TO:<test@domain.de>\r\n";
const SESSION_REPLIES = ["250-mail.domain.de", "250 2.1.0", "250 2.1.5"];

const CASES: HostileCase[] = [
  {
    name: "an HTTP request on the SMTP port",
    input: "GET / HTTP/1.1\r\nHost: mail.domain.de\r\n\r\n",
    replies: ["554 5.7.0"],
    closes: true,
  },
  {
    name: "a proxy CONNECT probe",
    input: "CONNECT example.net:25 HTTP/1.0\r\n\r\n",
    replies: ["554 5.7.0"],
    closes: true,
  },
  { name: "NUL in a command", input: "NOOP\0\r\n", replies: ["500 5.5.2"], closes: false },
  {
    name: "8-bit bytes in a command",
    input: "EHLO h\xe9\r\n",
    replies: ["500 5.5.2"],
    closes: false,
  },
  {
    name: "a bare CR inside a command",
    input: "NO\rOP\r\n",
    replies: ["500 5.5.2"],
    closes: false,
  },
  {
    name: "a command line over 2048 octets",
    input: `EHLO ${"a".repeat(3000)}\r\nNOOP\r\n`,
    replies: ["500 5.5.2 line too long", "250 2.0.0 ok"],
    closes: false,
  },
  {
    name: "a SASL line over 12288 octets",
    input: `EHLO a\r\nAUTH PLAIN\r\n${"A".repeat(13000)}\r\n`,
    replies: ["250-mail.domain.de", "334 ", "500 5.5.2 line too long"],
    closes: false,
  },
  {
    name: "21 bad commands in a row",
    input: "FOO\r\n".repeat(25),
    replies: [...Array(20).fill("502 5.5.1"), "421 4.7.0 too many errors"],
    closes: true,
  },
  {
    name: "a directory harvest: 30 unknown users",
    input: "EHLO a\r\nMAIL FROM:<x@example.org>\r\n" +
      Array.from({ length: 30 }, (_, i) => `RCPT TO:<guess${i}@domain.de>\r\n`).join(""),
    replies: ["250-mail.domain.de", "250 2.1.0", ...Array(20).fill("550 5.1.1"), "421 4.7.0"],
    closes: true,
  },
  {
    name: "a NOOP flood",
    input: "NOOP\r\n".repeat(105),
    replies: [...Array(100).fill("250 2.0.0 ok"), "421 4.7.0 too many commands"],
    closes: true,
  },
  {
    name: "SIZE larger than databytes",
    input: "EHLO a\r\nMAIL FROM:<x@example.org> SIZE=999999999999\r\n",
    replies: ["250-mail.domain.de", "552 5.3.4"],
    closes: false,
  },
  {
    name: "101 recipients",
    input: "EHLO a\r\nMAIL FROM:<x@example.org>\r\n" + "RCPT TO:<test@domain.de>\r\n".repeat(101),
    replies: ["250-mail.domain.de", "250 2.1.0", ...Array(100).fill("250 2.1.5"), "452 4.5.3"],
    closes: false,
  },
  {
    name: "DATA with a line over 998 octets",
    input: `${SESSION_START}DATA\r\n${"x".repeat(1200)}\r\n.\r\n`,
    replies: [...SESSION_REPLIES, "354", "554 5.6.0"],
    closes: false,
  },
  {
    name: "DATA with 100 Received headers (a loop)",
    input: `${SESSION_START}DATA\r\n${"Received: x\r\n".repeat(100)}\r\nbody\r\n.\r\n`,
    replies: [...SESSION_REPLIES, "354", "554 5.4.6"],
    closes: false,
  },
  ...["\n.\n", "\n.\r\n", "\r.\r", "\r\n.\n", "\r.\r\n", "\r\n.\r", "\n.\r", "\r.\n"].map((
    ending,
  ) => ({
    name: `SMTP smuggling with ${JSON.stringify(ending)}`,
    input: `${SESSION_START}DATA\r\nSubject: a\r\n\r\nx${ending}` +
      "MAIL FROM:<evil@example.org>\r\nRCPT TO:<test@domain.de>\r\nDATA\r\nsmuggled\r\n.\r\n",
    replies: [...SESSION_REPLIES, "354", "451 4.5.0 bare LF or CR"],
    closes: true,
  })),
  {
    name: "pipelined commands after QUIT are ignored",
    input: "QUIT\r\nNOOP\r\nNOOP\r\n",
    replies: ["221 2.0.0"],
    closes: true,
  },
  {
    name: "AUTH with a bad mechanism name and garbage",
    input: "EHLO a\r\nAUTH \x7f\x7f\r\nAUTH PLAIN =\r\nAUTH LOGIN *\r\n",
    replies: ["250-mail.domain.de", "500 5.5.2", "501 5.5.4", "501 5.5.4"],
    closes: false,
  },
];

for (const hostile of CASES) {
  Deno.test(`hostile input: ${hostile.name}`, async () => {
    const server = await dialogueServer();
    const client = server.connect();
    await client.play("S~ 220");
    await client.send(new Uint8Array([...hostile.input].map((char) => char.charCodeAt(0))));
    // If the session is still open, QUIT ends it with 221; if it closed, nothing answers.
    await client.send("QUIT\r\n").catch(() => {});
    const lines: string[] = [];
    for (let line = await client.readLine(); line !== undefined; line = await client.readLine()) {
      lines.push(line);
    }
    await client.finished;
    const replies = lines.filter((line) => /^\d{3} /.test(line) || line === "250-mail.domain.de")
      .filter((line) => line !== "250 ENHANCEDSTATUSCODES");
    const expected = hostile.closes ? hostile.replies : [...hostile.replies, "221 2.0.0"];
    equal(replies.length, expected.length, JSON.stringify(replies));
    replies.forEach((line, i) =>
      ok(line.startsWith(expected[i]), `reply ${i}: "${line}" should start "${expected[i]}"`)
    );
    deepEqual((await server.stores.queue.list({ limit: 10 })).items, []);
  });
}

Deno.test("a verifier that crashes gives that session 454; another session keeps being served", async () => {
  const server = await dialogueServer({
    verifier: {
      verify: (credentials) =>
        credentials.username === "crash@domain.de"
          ? Promise.reject(new TypeError("backend bug"))
          : Promise.resolve({ kind: "accepted", user: credentials.username }),
    },
  });
  const crashing = server.connect();
  const other = server.connect();
  await crashing.play(`
    S~ 220
    C: EHLO a
    S~ 250-mail.domain.de
  `);
  for (
    let line = await crashing.readLine();
    !line?.startsWith("250 ");
    line = await crashing.readLine()
  );
  await crashing.play(`
    C: AUTH PLAIN ${btoa("\0crash@domain.de\0pw")}
    S: 454 4.7.0 temporary authentication failure (#4.3.0)
    C: NOOP
    S: 250 2.0.0 ok
  `);
  await other.play(`
    S~ 220
    C: HELO b
    S~ 250
    C: MAIL FROM:<x@example.org>
    S~ 250
    C: RCPT TO:<test@domain.de>
    S~ 250
  `);
  await crashing.close();
  await other.close();
});
