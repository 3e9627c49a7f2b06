import { deepEqual, equal } from "node:assert/strict";
import type { ClientSessionOptions } from "../smtp/client_types.ts";
import { runClientDialogue, type ScriptedMessage } from "./_client_dialogue.ts";

const SEED_AUTH = { username: "trottel", password: "ich" };
const LOOPBACK: ClientSessionOptions = {
  ehloName: "tollgate.test",
  tls: "opportunistic",
  peerIsLoopback: true,
};
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
