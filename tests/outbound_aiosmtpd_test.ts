import { deepEqual, equal, match } from "node:assert/strict";
import { deliverOverSmtp } from "../runtime/deno/smtp_client.ts";
import type { OutboundMessage, OutboundTarget } from "../delivery/outbound_types.ts";
import { makeTestPki, RELAY_NAME } from "./_test_ca.ts";
import { type RunningAiosmtpd, startAiosmtpd } from "./_aiosmtpd.ts";

const pki = await makeTestPki();
const USER = { username: "kunde0815@domain.de", password: "geheim" };

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

function targetFor(relay: RunningAiosmtpd, extra: Partial<OutboundTarget> = {}): OutboundTarget {
  return {
    host: "127.0.0.1",
    port: relay.port,
    tls: "starttls",
    servername: RELAY_NAME,
    caCertificates: [pki.caPem],
    ehloName: "tollgate.test",
    auth: USER,
    ...extra,
  };
}

async function withAiosmtpd(run: (relay: RunningAiosmtpd) => Promise<void>) {
  const relay = await startAiosmtpd(pki, USER);
  try {
    await run(relay);
  } finally {
    await relay.stop();
  }
}

Deno.test("aiosmtpd requiring STARTTLS and AUTH: PLAIN by preference, two messages, one connection", async () => {
  await withAiosmtpd(async (relay) => {
    const first = "Subject: one\r\n\r\n.dot\r\nü 8-bit\r\n";
    const outcomes = await deliverOverSmtp(targetFor(relay), [
      message(["a@example.net"], first),
      message(["b@example.net", "c@example.net"], "Subject: two\r\n\r\nbody\r\n"),
    ]);
    deepEqual(outcomes.flat().map((o) => `${o.address} ${o.status} ${o.reply}`), [
      "a@example.net delivered 250 2.0.0 accepted",
      "b@example.net delivered 250 2.0.0 accepted",
      "c@example.net delivered 250 2.0.0 accepted",
    ]);
    deepEqual(await relay.auths(1), [{
      auth: "PLAIN",
      login: USER.username,
      accepted: true,
      tls: true,
    }]);
    const [one, two] = await relay.messages(2);
    deepEqual([one.mail_from, one.rcpt_tos, one.user, one.tls], [
      "test@domain.de",
      ["a@example.net"],
      USER.username,
      true,
    ]);
    equal(one.body, first);
    deepEqual(two.rcpt_tos, ["b@example.net", "c@example.net"]);
    deepEqual(one.peer, two.peer, "both messages came over the same connection");
  });
});

Deno.test("aiosmtpd: the route's mechanism list picks LOGIN", async () => {
  await withAiosmtpd(async (relay) => {
    const [[outcome]] = await deliverOverSmtp(
      targetFor(relay, { auth: { ...USER, mechanisms: ["CRAM-MD5", "LOGIN"] } }),
      [message(["a@example.net"], "Subject: login\r\n\r\nx\r\n")],
    );
    equal(outcome.status, "delivered");
    deepEqual((await relay.auths(1)).map((a) => a.auth), ["LOGIN"]);
  });
});

Deno.test("aiosmtpd: wrong credentials → temporary; 451 and 550 per recipient", async () => {
  await withAiosmtpd(async (relay) => {
    const [[rejected]] = await deliverOverSmtp(
      targetFor(relay, { auth: { username: "kunde081%@domaOn.de", password: "geheim" } }),
      [message(["a@example.net"], "x\r\n")],
    );
    equal(rejected.status, "temporary");
    equal(
      rejected.reply,
      'AUTH PLAIN as "kunde081%@domaOn.de" rejected by the relay: ' +
        "535 5.7.8 Authentication credentials invalid",
    );
    const [outcomes] = await deliverOverSmtp(targetFor(relay), [
      message(["later@example.net", "nobody@example.net", "ok@example.net"], "x\r\n"),
    ]);
    deepEqual(outcomes.map((o) => `${o.address} ${o.status} ${o.reply}`), [
      "later@example.net temporary 451 4.3.0 try again later",
      "nobody@example.net permanent 550 5.1.1 no such user",
      "ok@example.net delivered 250 2.0.0 accepted",
    ]);
    const [only] = await relay.messages(1);
    deepEqual(only.rcpt_tos, ["ok@example.net"]);
  });
});

Deno.test("aiosmtpd: tls none where AUTH needs STARTTLS stays temporary, and says why", async () => {
  await withAiosmtpd(async (relay) => {
    const [[outcome]] = await deliverOverSmtp(targetFor(relay, { tls: "none" }), [
      message(["a@example.net"], "x\r\n"),
    ]);
    equal(outcome.status, "temporary");
    match(outcome.reply, /^no AUTH mechanism in common: the relay offers no AUTH; /);
  });
});
