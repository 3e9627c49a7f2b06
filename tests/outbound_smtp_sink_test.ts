import { deepEqual, equal, match } from "node:assert/strict";
import { deliverOverSmtp } from "../runtime/deno/smtp_client.ts";
import type { OutboundMessage, OutboundTarget } from "../delivery/outbound_types.ts";
import { type RunningSink, startSmtpSink } from "./_smtp_sink.ts";

function message(to: string[], text: string): OutboundMessage {
  const bytes = new TextEncoder().encode(text);
  return {
    from: "test@domain.de",
    to,
    size: bytes.length,
    body: async function* () {
      yield bytes;
    },
  };
}

function targetFor(sink: RunningSink): OutboundTarget {
  return { host: "127.0.0.1", port: sink.port, tls: "opportunistic", ehloName: "tollgate.test" };
}

async function withSink(
  options: { flags?: string[]; dump?: boolean },
  run: (sink: RunningSink) => Promise<void>,
) {
  const sink = await startSmtpSink(options);
  try {
    await run(sink);
  } finally {
    await sink.stop();
  }
}

Deno.test("smtp-sink: three messages over one connection, pipelined, dot-stuffed", async () => {
  await withSink({ dump: true }, async (sink) => {
    const outcomes = await deliverOverSmtp(targetFor(sink), [
      message(["a@example.net"], "Subject: 1\r\n\r\n.one\r\n"),
      message(["b@example.net", "c@example.net"], "Subject: 2\r\n\r\ntwo\r\n"),
      message(["d@example.net"], "Subject: 3\r\n\r\n..three"),
    ]);
    deepEqual(outcomes.flat().map((o) => `${o.address} ${o.status} ${o.reply}`), [
      "a@example.net delivered 250 2.0.0 Ok",
      "b@example.net delivered 250 2.0.0 Ok",
      "c@example.net delivered 250 2.0.0 Ok",
      "d@example.net delivered 250 2.0.0 Ok",
    ]);
    deepEqual(await sink.counters((c) => c.sessions >= 1 && c.messages >= 3), {
      sessions: 1,
      messages: 3,
    });
    const dumps = await sink.dumps();
    const pick = (dump: string) =>
      dump.split("\n").filter((line) => /^(X-|Subject|[.a-z])/.test(line));
    deepEqual(dumps.map(pick), [
      [
        "X-Client-Addr: 127.0.0.1",
        "X-Client-Proto: ESMTP",
        "X-Helo-Args: tollgate.test",
        "X-Mail-Args: <test@domain.de> BODY=8BITMIME",
        "X-Rcpt-Args: <a@example.net>",
        "Subject: 1",
        ".one",
      ],
      [
        "X-Client-Addr: 127.0.0.1",
        "X-Client-Proto: ESMTP",
        "X-Helo-Args: tollgate.test",
        "X-Mail-Args: <test@domain.de> BODY=8BITMIME",
        "X-Rcpt-Args: <b@example.net>",
        "X-Rcpt-Args: <c@example.net>",
        "Subject: 2",
        "two",
      ],
      [
        "X-Client-Addr: 127.0.0.1",
        "X-Client-Proto: ESMTP",
        "X-Helo-Args: tollgate.test",
        "X-Mail-Args: <test@domain.de> BODY=8BITMIME",
        "X-Rcpt-Args: <d@example.net>",
        "Subject: 3",
        "..three",
      ],
    ]);
  });
});

Deno.test("smtp-sink: EHLO refused → HELO, and the message still goes", async () => {
  await withSink({ flags: ["-f", "EHLO"], dump: true }, async (sink) => {
    const [[outcome]] = await deliverOverSmtp(targetFor(sink), [
      message(["a@example.net"], "Subject: helo\r\n\r\nx\r\n"),
    ]);
    equal(outcome.status, "delivered");
    const [dump] = await sink.dumps();
    match(dump, /^X-Client-Proto: SMTP$/m);
    match(dump, /^X-Helo-Args: tollgate\.test$/m);
    match(dump, /^X-Mail-Args: <test@domain\.de>$/m, "no ESMTP parameters after HELO");
  });
});

Deno.test("smtp-sink: 451 to RCPT is temporary, 550 permanent, 451 to the final dot temporary", async () => {
  const cases: [string[], string][] = [
    [["-r", "RCPT", "-b", "451 4.3.0 try again later"], "temporary 451 4.3.0 try again later"],
    [["-f", "RCPT", "-B", "550 5.1.1 no such user"], "permanent 550 5.1.1 no such user"],
    [["-r", ".", "-b", "451 4.3.0 local problem"], "temporary 451 4.3.0 local problem"],
    [["-f", "MAIL", "-B", "553 5.7.1 sender refused"], "permanent 553 5.7.1 sender refused"],
  ];
  for (const [flags, expected] of cases) {
    await withSink({ flags }, async (sink) => {
      const [outcomes] = await deliverOverSmtp(targetFor(sink), [
        message(["a@example.net", "b@example.net"], "x\r\n"),
      ]);
      deepEqual(
        outcomes.map((o) => `${o.status} ${o.reply}`),
        [expected, expected],
        flags.join(" "),
      );
    });
  }
});

Deno.test("smtp-sink: 421 or a dropped connection mid-session is temporary, with the reason", async () => {
  await withSink({ flags: ["-Q", "RCPT"] }, async (sink) => {
    const [[outcome]] = await deliverOverSmtp(targetFor(sink), [
      message(["a@example.net"], "x\r\n"),
    ]);
    equal(outcome.status, "temporary");
    match(outcome.reply, /^the relay is closing the connection: 421 /);
  });
  await withSink({ flags: ["-q", "DATA"] }, async (sink) => {
    const [[outcome]] = await deliverOverSmtp(targetFor(sink), [
      message(["a@example.net"], "x\r\n"),
    ]);
    deepEqual(outcome, {
      address: "a@example.net",
      status: "temporary",
      reply: "the relay closed the connection",
    });
  });
});
