import { deepEqual, equal, match } from "node:assert/strict";
import { deliverOverSmtp, probeRoute } from "../runtime/deno/smtp_client.ts";
import type { OutboundMessage, OutboundTarget } from "../delivery/outbound_types.ts";
import { makeTestPki, RELAY_NAME } from "./_test_ca.ts";
import { type RelayOptions, type RunningRelay, startRelay } from "./_smtp_server_relay.ts";

const pki = await makeTestPki();
const TLS = { certPem: pki.certPem, keyPem: pki.keyPem };
const SEED_USER = { username: "trottel", password: "ich" };
const BODY = "Subject: relayed\r\n\r\n.a line with a leading dot\r\n..two dots\r\nend\r\n";

function message(to: string[], text = BODY, from = "test@domain.de"): OutboundMessage {
  const bytes = new TextEncoder().encode(text);
  return {
    from,
    to,
    size: bytes.length,
    body: async function* () {
      yield bytes.subarray(0, 7);
      yield bytes.subarray(7);
    },
  };
}

function targetFor(relay: RunningRelay, extra: Partial<OutboundTarget> = {}): OutboundTarget {
  return {
    host: relay.host,
    port: relay.port,
    tls: "starttls",
    servername: RELAY_NAME,
    caCertificates: [pki.caPem],
    ehloName: "tollgate.test",
    auth: SEED_USER,
    ...extra,
  };
}

async function withRelay(options: RelayOptions, run: (relay: RunningRelay) => Promise<void>) {
  const relay = await startRelay(options);
  try {
    await run(relay);
  } finally {
    await relay.close();
  }
}

for (const method of ["LOGIN", "PLAIN", "CRAM-MD5"] as const) {
  Deno.test(`smtp-server requiring AUTH ${method} over STARTTLS: two messages, one connection`, async () => {
    await withRelay({ tls: TLS, authMethods: [method] }, async (relay) => {
      const outcomes = await deliverOverSmtp(targetFor(relay), [
        message(["kunde@testdomain.de"]),
        message(["a@testdomain.de", "b@testdomain.de"], "Subject: two\r\n\r\nsecond\r\n", ""),
      ]);
      deepEqual(outcomes.flat().map((o) => [o.address, o.status]), [
        ["kunde@testdomain.de", "delivered"],
        ["a@testdomain.de", "delivered"],
        ["b@testdomain.de", "delivered"],
      ]);
      match(outcomes[0][0].reply, /^250 /);
      deepEqual(relay.auths, [{ method, username: "trottel", accepted: true, secure: true }]);
      equal(relay.connections, 1);
      equal(relay.messages.length, 2);
      equal(relay.messages[0].connection, relay.messages[1].connection);
      deepEqual(relay.messages.map((m) => [m.from, m.to, m.user, m.secure]), [
        ["test@domain.de", ["kunde@testdomain.de"], "trottel", true],
        ["", ["a@testdomain.de", "b@testdomain.de"], "trottel", true],
      ]);
      equal(relay.messages[0].body, BODY, "dot-stuffed on the wire, unstuffed by the relay");
    });
  });
}

Deno.test("smtp-server: a wrong password leaves every recipient temporary, with the reply", async () => {
  await withRelay({ tls: TLS, authMethods: ["PLAIN", "LOGIN"] }, async (relay) => {
    const outcomes = await deliverOverSmtp(
      targetFor(relay, { auth: { username: "trottel", password: "trottell" } }),
      [message(["a@testdomain.de"]), message(["b@testdomain.de"])],
    );
    for (const [outcome] of outcomes) {
      equal(outcome.status, "temporary");
      match(outcome.reply, /^AUTH PLAIN as "trottel" rejected by the relay: 535 /);
      equal(outcome.reply.includes("trottell"), false, "the password never shows");
    }
    equal(relay.messages.length, 0);
  });
});

Deno.test("smtp-server: 451 and 550 per recipient, then 451 and 554 after the data", async () => {
  const options: RelayOptions = {
    refuseRecipient: (address) =>
      address.startsWith("later@")
        ? { code: 451, message: "4.3.0 try again later" }
        : address.startsWith("nobody@")
        ? { code: 550, message: "5.1.1 no such user" }
        : undefined,
    refuseMessage: (to) =>
      to.includes("queue-full@example.net")
        ? { code: 451, message: "4.3.1 queue full" }
        : to.includes("spam@example.net")
        ? { code: 554, message: "5.7.1 looks like spam" }
        : undefined,
  };
  await withRelay(options, async (relay) => {
    const outcomes = await deliverOverSmtp(
      targetFor(relay, { tls: "opportunistic", auth: undefined }),
      [
        message(["later@example.net", "nobody@example.net", "ok@example.net"]),
        message(["queue-full@example.net"]),
        message(["spam@example.net"]),
      ],
    );
    deepEqual(outcomes.map((list) => list.map((o) => `${o.address} ${o.status} ${o.reply}`)), [
      [
        "later@example.net temporary 451 4.3.0 try again later",
        "nobody@example.net permanent 550 5.1.1 no such user",
        outcomes[0][2].reply.startsWith("250 ")
          ? `ok@example.net delivered ${outcomes[0][2].reply}`
          : "ok@example.net should be delivered",
      ],
      ["queue-full@example.net temporary 451 4.3.1 queue full"],
      ["spam@example.net permanent 554 5.7.1 looks like spam"],
    ]);
    deepEqual(relay.messages.map((m) => m.to), [["ok@example.net"]]);
    equal(relay.connections, 1);
  });
});

Deno.test("smtp-server: implicit TLS (port 465 style) with AUTH; an IP address as the name", async () => {
  await withRelay({ tls: TLS, implicitTls: true, authMethods: ["PLAIN"] }, async (relay) => {
    // No servername: the certificate is checked against 127.0.0.1 (its IP SAN), without SNI.
    const target = targetFor(relay, { tls: "implicit", servername: undefined });
    const [[outcome]] = await deliverOverSmtp(target, [
      message(["a@testdomain.de"]),
    ]);
    equal(outcome.status, "delivered");
    deepEqual(relay.messages.map((m) => [m.user, m.secure]), [["trottel", true]]);
  });
});

Deno.test("smtp-server: a certificate that cannot be verified stops starttls before AUTH", async () => {
  await withRelay({ tls: TLS, authMethods: ["PLAIN"] }, async (relay) => {
    const [[untrusted]] = await deliverOverSmtp(targetFor(relay, { caCertificates: undefined }), [
      message(["a@testdomain.de"]),
    ]);
    equal(untrusted.status, "temporary");
    equal(untrusted.reply, "TLS handshake failed: unable to verify the first certificate");
    const [[wrongName]] = await deliverOverSmtp(targetFor(relay, { servername: "other.test" }), [
      message(["a@testdomain.de"]),
    ]);
    equal(wrongName.status, "temporary");
    match(wrongName.reply, /^TLS handshake failed: Hostname\/IP does not match .*other\.test/);
    equal(relay.auths.length, 0, "no credentials went to an unverified relay");
    equal(relay.messages.length, 0);
  });
});

Deno.test("smtp-server: opportunistic TLS (MX delivery) takes any certificate", async () => {
  await withRelay({ tls: TLS }, async (relay) => {
    const [[delivered]] = await deliverOverSmtp(
      targetFor(relay, { tls: "opportunistic", caCertificates: undefined, auth: undefined }),
      [message(["a@example.net"])],
    );
    equal(delivered.status, "delivered");
    deepEqual(relay.messages.map((m) => m.secure), [true]);
  });
});

Deno.test("smtp-server: the relay down is temporary, with a clear reason", async () => {
  const relay = await startRelay();
  await relay.close();
  const outcomes = await deliverOverSmtp(targetFor(relay), [
    message(["a@testdomain.de", "b@testdomain.de"]),
  ]);
  for (const outcome of outcomes[0]) {
    equal(outcome.status, "temporary");
    equal(
      outcome.reply,
      `cannot connect to 127.0.0.1:${relay.port}: connect ECONNREFUSED 127.0.0.1:${relay.port}`,
    );
  }
});

Deno.test("smtp-server: probeRoute reports each step and never the password", async () => {
  await withRelay({ tls: TLS, authMethods: ["CRAM-MD5", "LOGIN"] }, async (relay) => {
    const good = await probeRoute(targetFor(relay));
    deepEqual(good.steps.map((s) => `${s.step} ${s.ok}`), [
      "connect true",
      "greeting true",
      "ehlo true",
      "starttls true",
      "tls true",
      "ehlo true",
      "auth true",
      "result true",
    ]);
    match(good.steps[4].detail, /^TLSv1\.[23] .*, certificate for relay\.test verified$/);
    match(good.steps[6].detail, /^AUTH CRAM-MD5 as "trottel": 235 /);
    const bad = await probeRoute(
      targetFor(relay, { auth: { username: "trottell", password: "secret-typo" } }),
    );
    deepEqual(bad.steps.slice(-2).map((s) => `${s.step} ${s.ok}`), ["auth false", "result false"]);
    match(bad.steps.at(-1)!.detail, /^AUTH CRAM-MD5 as "trottell" rejected by the relay: 535 /);
    equal(JSON.stringify(bad).includes("secret-typo"), false);
    equal(relay.messages.length, 0, "a probe sends no mail");
  });
});
