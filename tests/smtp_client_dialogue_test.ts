import { deepEqual, equal, match } from "node:assert/strict";
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import type { ClientSessionOptions } from "../smtp/client_types.ts";
import { b64, runClientDialogue, type ScriptedMessage } from "./_client_dialogue.ts";

const SEED_AUTH = { username: "trottel", password: "ich" };
const LOOPBACK: ClientSessionOptions = {
  ehloName: "tollgate.test",
  tls: "opportunistic",
  peerIsLoopback: true,
};
const REMOTE: ClientSessionOptions = { ...LOOPBACK, peerIsLoopback: false };
const message = (to: string[], body = "Subject: hi\r\n\r\nhello\r\n"): ScriptedMessage => ({
  from: "test@domain.de",
  to,
  size: body.length,
  body,
});

Deno.test("client dialogue: the seed's relay, AUTH LOGIN on loopback, two messages, one connection", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, auth: { ...SEED_AUTH, mechanisms: ["LOGIN"] } },
    `
    S: 220 mail.provider.de ESMTP
    C: EHLO tollgate.test
    S: 250-mail.provider.de
    S: 250-AUTH LOGIN CRAM-MD5 PLAIN
    S: 250-AUTH=LOGIN CRAM-MD5 PLAIN
    S: 250-PIPELINING
    S: 250 8BITMIME
    C: AUTH LOGIN
    S: 334 VXNlcm5hbWU6
    C: dHJvdHRlbA==
    S: 334 UGFzc3dvcmQ6
    C: aWNo
    S: 235 ok, go ahead (#2.0.0)
    C: MAIL FROM:<test@domain.de> BODY=8BITMIME
    C: RCPT TO:<kunde@testdomain.de>
    C: DATA
    S: 250 ok
    S: 250 ok
    S: 354 go ahead
    C: ..leading dot
    C: end
    C: .
    S: 250 ok 1028301386 qp 4711
    C: MAIL FROM:<> BODY=8BITMIME
    C: RCPT TO:<a@testdomain.de>
    C: RCPT TO:<b@testdomain.de>
    C: DATA
    S: 250 ok
    S: 250 ok
    S: 250 ok
    S: 354 go ahead
    C: second
    C: .
    S: 250 ok 1028301387 qp 4712
    C: QUIT
    S: 221 mail.provider.de
    `,
    [
      message(["kunde@testdomain.de"], ".leading dot\nend"),
      { ...message(["a@testdomain.de", "b@testdomain.de"], "second\r\n"), from: "" },
    ],
  );
  deepEqual(result.outcomes, [
    [{ address: "kunde@testdomain.de", status: "delivered", reply: "250 ok 1028301386 qp 4711" }],
    [
      { address: "a@testdomain.de", status: "delivered", reply: "250 ok 1028301387 qp 4712" },
      { address: "b@testdomain.de", status: "delivered", reply: "250 ok 1028301387 qp 4712" },
    ],
  ]);
  equal(result.failed, undefined);
  equal(result.closed, true);
  deepEqual(result.progress, [
    "greeting ok: 220 mail.provider.de ESMTP",
    "ehlo ok: AUTH LOGIN CRAM-MD5 PLAIN, PIPELINING, 8BITMIME",
    "starttls failed: not offered; going on without TLS",
    'auth ok: AUTH LOGIN as "trottel": 235 ok, go ahead (#2.0.0)',
  ]);
});

Deno.test("client dialogue: STARTTLS, EHLO again, CRAM-MD5 preferred; plain text after 220 is dropped", () => {
  const challenge = "<4711.1028301386@relay.test>";
  const digest = hmac(md5, new TextEncoder().encode("ich"), new TextEncoder().encode(challenge));
  const result = runClientDialogue(
    { ...REMOTE, tls: "starttls", auth: SEED_AUTH },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250-STARTTLS
    S: 250 AUTH PLAIN
    C: STARTTLS
    S: 220 ready
    S: 250 injected before the handshake
    -- tls --
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250-SIZE 1000
    S: 250 AUTH LOGIN PLAIN CRAM-MD5
    C: AUTH CRAM-MD5
    S: 334 ${b64(challenge)}
    C: ${b64(`trottel ${digest.toHex()}`)}
    S: 235 2.7.0 accepted
    C: MAIL FROM:<test@domain.de> SIZE=5
    S: 250 ok
    C: RCPT TO:<x@example.net>
    S: 250 ok
    C: DATA
    S: 354 go
    C: hello
    C: .
    S: 250 queued
    C: QUIT
    S: 221 bye
    `,
    [message(["x@example.net"], "hello")],
  );
  deepEqual(result.outcomes, [[{
    address: "x@example.net",
    status: "delivered",
    reply: "250 queued",
  }]]);
  equal(result.progress.at(-1), 'auth ok: AUTH CRAM-MD5 as "trottel": 235 2.7.0 accepted');
});

Deno.test("client dialogue: credentials are never sent without TLS to a relay that is not loopback", () => {
  const result = runClientDialogue(
    { ...REMOTE, auth: SEED_AUTH },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250 AUTH PLAIN LOGIN
    C: QUIT
    S: 221 bye
    `,
    [message(["x@example.net"])],
  );
  equal(
    result.failed,
    "credentials are never sent without TLS, and the relay does not offer STARTTLS",
  );
  deepEqual(result.outcomes, [], "no transaction was started");
  equal(result.closed, true);
});

Deno.test("client dialogue: a refused STARTTLS keeps the credentials back as well", () => {
  const result = runClientDialogue(
    { ...REMOTE, auth: SEED_AUTH },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250-STARTTLS
    S: 250 AUTH PLAIN
    C: STARTTLS
    S: 454 4.7.0 TLS not available
    C: QUIT
    S: 221 bye
    `,
  );
  equal(
    result.failed,
    "credentials are never sent without TLS, and the relay refused STARTTLS: " +
      "454 4.7.0 TLS not available",
  );
});

Deno.test("client dialogue: tls none sends credentials in clear text, as the route says", () => {
  const result = runClientDialogue(
    { ...REMOTE, tls: "none", auth: SEED_AUTH },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250-STARTTLS
    S: 250 AUTH PLAIN
    C: AUTH PLAIN ${b64("\0trottel\0ich")}
    S: 235 ok
    C: QUIT
    S: 221 bye
    `,
  );
  equal(result.failed, undefined);
  equal(result.closed, true);
});

Deno.test("client dialogue: starttls mode fails without STARTTLS, even with no credentials", () => {
  const result = runClientDialogue(
    { ...REMOTE, tls: "starttls" },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250 relay.test
    C: QUIT
    S: 221 bye
    `,
    [message(["x@example.net"])],
  );
  equal(result.failed, "the relay does not offer STARTTLS, which the route requires");
});

Deno.test("client dialogue: a rejected AUTH is a failure with the reason, never the password", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, auth: { username: "trottel", password: "geheim" } },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250 AUTH PLAIN
    C: AUTH PLAIN ${b64("\0trottel\0geheim")}
    S: 535 5.7.8 authentication failed
    C: QUIT
    S: 221 bye
    `,
    [message(["x@example.net"])],
  );
  equal(
    result.failed,
    'AUTH PLAIN as "trottel" rejected by the relay: 535 5.7.8 authentication failed',
  );
  equal(result.progress.some((line) => line.includes("geheim")), false);
});

Deno.test("client dialogue: the route's mechanisms limit the choice; none in common fails", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, auth: { ...SEED_AUTH, mechanisms: ["CRAM-MD5"] } },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250 AUTH PLAIN LOGIN
    C: QUIT
    S: 221 bye
    `,
  );
  equal(
    result.failed,
    "no AUTH mechanism in common: the relay offers PLAIN LOGIN; allowed: CRAM-MD5",
  );
});

Deno.test("client dialogue: a garbled CRAM-MD5 challenge is cancelled with *", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, auth: SEED_AUTH },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250 AUTH CRAM-MD5
    C: AUTH CRAM-MD5
    S: 334 not base64!
    C: *
    S: 501 cancelled
    C: QUIT
    S: 221 bye
    `,
  );
  match(result.failed ?? "", /cancelled: the CRAM-MD5 challenge is not base64 \(501 cancelled\)$/);
});

Deno.test("client dialogue: EHLO refused → HELO; without PIPELINING one command at a time", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, tls: "none" },
    `
    S: 220 old.test SMTP
    C: EHLO tollgate.test
    S: 502 unimplemented
    C: HELO tollgate.test
    S: 250 old.test
    C: MAIL FROM:<test@domain.de>
    S: 250 ok
    C: RCPT TO:<a@example.net>
    S: 550 5.1.1 no such user
    C: RCPT TO:<b@example.net>
    S: 451 4.3.0 try later
    C: RCPT TO:<c@example.net>
    S: 250 ok
    C: DATA
    S: 354 go
    C: Subject: hi
    C:
    C: hello
    C: .
    S: 250 ok
    C: QUIT
    S: 221 bye
    `,
    [message(["a@example.net", "b@example.net", "c@example.net"])],
  );
  deepEqual(result.outcomes, [[
    { address: "a@example.net", status: "permanent", reply: "550 5.1.1 no such user" },
    { address: "b@example.net", status: "temporary", reply: "451 4.3.0 try later" },
    { address: "c@example.net", status: "delivered", reply: "250 ok" },
  ]]);
  deepEqual(result.progress.slice(1, 3), [
    "ehlo failed: 502 unimplemented; trying HELO",
    "helo ok: 250 old.test",
  ]);
});

Deno.test("client dialogue: no recipient accepted → no DATA; RSET before the next message", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, tls: "none" },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250 relay.test
    C: MAIL FROM:<test@domain.de>
    S: 250 ok
    C: RCPT TO:<a@example.net>
    S: 550 no
    C: RSET
    S: 250 flushed
    C: MAIL FROM:<test@domain.de>
    S: 451 4.3.0 queue full
    C: QUIT
    S: 221 bye
    `,
    [message(["a@example.net"]), message(["b@example.net", "c@example.net"])],
  );
  deepEqual(result.outcomes, [
    [{ address: "a@example.net", status: "permanent", reply: "550 no" }],
    [
      { address: "b@example.net", status: "temporary", reply: "451 4.3.0 queue full" },
      { address: "c@example.net", status: "temporary", reply: "451 4.3.0 queue full" },
    ],
  ]);
});

Deno.test("client dialogue: a 451 or 554 after the final dot decides the accepted recipients", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, tls: "none" },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250 PIPELINING
    C: MAIL FROM:<test@domain.de>
    C: RCPT TO:<a@example.net>
    C: RCPT TO:<b@example.net>
    C: DATA
    S: 250 ok
    S: 550 5.1.1 unknown
    S: 250 ok
    S: 354 go
    C: one
    C: .
    S: 451 4.3.0 local error
    C: MAIL FROM:<test@domain.de>
    C: RCPT TO:<c@example.net>
    C: DATA
    S: 250 ok
    S: 250 ok
    S: 354 go
    C: two
    C: .
    S: 554 5.7.1 spam
    C: QUIT
    S: 221 bye
    `,
    [message(["a@example.net", "b@example.net"], "one"), message(["c@example.net"], "two")],
  );
  deepEqual(result.outcomes, [
    [
      { address: "a@example.net", status: "permanent", reply: "550 5.1.1 unknown" },
      { address: "b@example.net", status: "temporary", reply: "451 4.3.0 local error" },
    ],
    [{ address: "c@example.net", status: "permanent", reply: "554 5.7.1 spam" }],
  ]);
});

Deno.test("client dialogue: pipelined, all recipients refused, DATA still got 354: end it empty", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, tls: "none" },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250 PIPELINING
    C: MAIL FROM:<test@domain.de>
    C: RCPT TO:<a@example.net>
    C: DATA
    S: 250 ok
    S: 550 no
    S: 354 go
    C: .
    S: 554 no valid recipients
    C: QUIT
    S: 221 bye
    `,
    [message(["a@example.net"])],
  );
  deepEqual(result.outcomes, [[{
    address: "a@example.net",
    status: "permanent",
    reply: "550 no",
  }]]);
});

Deno.test("client dialogue: a message over the relay's SIZE limit is refused before MAIL", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, tls: "none" },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250 SIZE 10
    C: QUIT
    S: 221 bye
    `,
    [message(["a@example.net"], "eleven byte")],
  );
  deepEqual(result.outcomes, [[{
    address: "a@example.net",
    status: "permanent",
    reply: "552 5.3.4 message of 11 bytes exceeds the relay's SIZE limit of 10 bytes",
  }]]);
});

Deno.test("client dialogue: 421 mid-transaction; refusals stand, the rest is temporary", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, tls: "none" },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250-relay.test
    S: 250 PIPELINING
    C: MAIL FROM:<test@domain.de>
    C: RCPT TO:<a@example.net>
    C: RCPT TO:<b@example.net>
    C: DATA
    S: 250 ok
    S: 550 no
    S: 421 4.3.2 shutting down
    `,
    [message(["a@example.net", "b@example.net"]), message(["c@example.net"])],
  );
  const reason = "the relay is closing the connection: 421 4.3.2 shutting down";
  deepEqual(result.outcomes, [[
    { address: "a@example.net", status: "permanent", reply: "550 no" },
    { address: "b@example.net", status: "temporary", reply: reason },
  ]]);
  equal(result.failed, reason);
  equal(result.closed, true);
});

Deno.test("client dialogue: RFC 5321 timeouts; a silent relay fails the waiting recipients", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, tls: "none" },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250 relay.test
    C: MAIL FROM:<test@domain.de>
    S: 250 ok
    C: RCPT TO:<a@example.net>
    -- timeout --
    `,
    [message(["a@example.net"])],
  );
  const reason = "timed out after 300 s waiting for the reply to RCPT TO";
  deepEqual(result.outcomes, [[{ address: "a@example.net", status: "temporary", reply: reason }]]);
  equal(result.closed, true);
});

Deno.test("client dialogue: the connection drops after the final dot: temporary, not delivered", () => {
  const result = runClientDialogue(
    { ...LOOPBACK, tls: "none" },
    `
    S: 220 relay.test ESMTP
    C: EHLO tollgate.test
    S: 250 relay.test
    C: MAIL FROM:<test@domain.de>
    S: 250 ok
    C: RCPT TO:<a@example.net>
    S: 250 ok
    C: DATA
    S: 354 go
    C: x
    C: .
    -- lost --
    `,
    [message(["a@example.net"], "x")],
  );
  deepEqual(result.outcomes, [[
    { address: "a@example.net", status: "temporary", reply: "connection reset by peer" },
  ]]);
  equal(result.failed, "connection reset by peer");
});

Deno.test("client dialogue: a greeting other than 220 ends the session politely", () => {
  const result = runClientDialogue(
    LOOPBACK,
    `
    S: 554 5.7.1 no service for you
    C: QUIT
    S: 221 bye
    `,
  );
  equal(result.failed, "the relay refused the session: 554 5.7.1 no service for you");
});

Deno.test("client dialogue: a malformed reply is a protocol error and closes at once", () => {
  const result = runClientDialogue(LOOPBACK, "S: 220 relay.test\nC: EHLO tollgate.test\nS: hello?");
  equal(result.failed, 'protocol error: malformed reply "hello?"');
  equal(result.closed, true);
});
