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
