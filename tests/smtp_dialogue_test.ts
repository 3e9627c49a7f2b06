import { deepEqual, equal } from "node:assert/strict";
import { dialogueServer } from "./_dialogue.ts";
import { test } from "./_portable.ts";

const EHLO_REPLY = `
S: 250-mail.domain.de
S: 250-AUTH LOGIN CRAM-MD5 PLAIN
S: 250-AUTH=LOGIN CRAM-MD5 PLAIN
S: 250-PIPELINING
S: 250-8BITMIME
S: 250-SIZE 1048576
S: 250 ENHANCEDSTATUSCODES`;

test("the seed's telnet session, byte for byte: its typo'd user name is refused", async () => {
  const server = await dialogueServer();
  const client = server.connect();
  // The seed sends dGVzdEBkb2lhaW4uZGU= ("test@doiain.de"), not test@domain.de.
  await client.play(`
    S: 220 mail.domain.de ESMTP
    C: ehlo hostname
    ${EHLO_REPLY}
    C: auth login
    S: 334 VXNlcm5hbWU6
    C: dGVzdEBkb2lhaW4uZGU=
    S: 334 UGFzc3dvcmQ6
    C: dGVzdGluZw==
    S: 535 5.7.8 authorization failed (#5.7.0)
    C: quit
    S: 221 2.0.0 mail.domain.de
  `);
  await client.finished;
});

test("the seed's telnet session with the user name it meant: 235, then relaying works", async () => {
  const server = await dialogueServer();
  const client = server.connect();
  await client.play(`
    S: 220 mail.domain.de ESMTP
    C: ehlo hostname
    ${EHLO_REPLY}
    C: auth login
    S: 334 VXNlcm5hbWU6
    C: dGVzdEBkb21haW4uZGU=
    S: 334 UGFzc3dvcmQ6
    C: dGVzdGluZw==
    S: 235 2.0.0 ok, go ahead (#2.0.0)
    C: MAIL FROM:<test@domain.de>
    S: 250 2.1.0 ok
    C: RCPT TO:<friend@example.net>
    S: 250 2.1.5 ok
    C: DATA
    S: 354 go ahead
    C: Subject: hello
    C:
    C: relayed after AUTH
    C: .
    S~ 250 2.0.0 ok
    C: QUIT
    S: 221 2.0.0 mail.domain.de
  `);
  await client.finished;
  const [message] = (await server.stores.queue.list({ limit: 10 })).items;
  equal(message.authUser, "test@domain.de");
  deepEqual(message.to, ["friend@example.net"]);
  equal(message.clientAddress, "192.168.10.10");
  let body = "";
  for await (const chunk of server.stores.queue.readBody(message.id)) {
    body += new TextDecoder().decode(chunk);
  }
  const [received, by] = body.split("\r\n");
  equal(received, "Received: from unknown (HELO hostname) (test@domain.de@192.168.10.10)");
  equal(by.replace(/; .*$/, ""), "  by mail.domain.de with ESMTPA");
  equal(body.slice(body.indexOf("Subject")), "Subject: hello\r\n\r\nrelayed after AUTH\r\n");
});

test("without AUTH: relaying is refused with qmail's 553, local mail is accepted", async () => {
  const server = await dialogueServer();
  const client = server.connect();
  await client.play(`
    S~ 220
    C: HELO client.example.net
    S: 250 mail.domain.de
    C: MAIL FROM:<someone@example.net>
    S: 250 2.1.0 ok
    C: RCPT TO:<victim@example.org>
    S: 553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)
    C: RCPT TO:<nobody@domain.de>
    S: 550 5.1.1 sorry, no mailbox here by that name (#5.1.1)
    C: RCPT TO:<Test@Domain.DE>
    S: 250 2.1.5 ok
    C: DATA
    S: 354 go ahead
    C: hi
    C: .
    S~ 250 2.0.0 ok
  `);
  await client.close();
  const [message] = (await server.stores.queue.list({ limit: 10 })).items;
  equal(message.authUser, undefined);
  deepEqual(message.to, ["Test@domain.de"]);
});

test("pipelined commands in one packet are answered in order", async () => {
  const server = await dialogueServer();
  const client = server.connect();
  await client.play("S~ 220\nC: EHLO client.test");
  for (let i = 0; i < 7; i++) await client.readLine();
  await client.send(
    "MAIL FROM:<a@example.net>\r\nRCPT TO:<test@domain.de>\r\nRCPT TO:<x@example.org>\r\n" +
      "RCPT TO:<nobody@domain.de>\r\nDATA\r\nline one\r\n..dot line\r\n.\r\nNOOP\r\nQUIT\r\n",
  );
  await client.play(`
    S: 250 2.1.0 ok
    S: 250 2.1.5 ok
    S~ 553 5.7.1
    S~ 550 5.1.1
    S: 354 go ahead
    S~ 250 2.0.0 ok
    S: 250 2.0.0 ok
    S: 221 2.0.0 mail.domain.de
  `);
  await client.finished;
  const [message] = (await server.stores.queue.list({ limit: 10 })).items;
  let body = "";
  for await (const chunk of server.stores.queue.readBody(message.id)) {
    body += new TextDecoder().decode(chunk);
  }
  equal(body.slice(body.indexOf("line one")), "line one\r\n.dot line\r\n");
});

test("RFC 4954: every AUTH error gets its reply", async () => {
  const server = await dialogueServer();
  const client = server.connect();
  await client.play(`
    S~ 220
    C: AUTH PLAIN
    S: 503 5.5.1 send EHLO first
    C: HELO client.test
    S: 250 mail.domain.de
    C: AUTH PLAIN
    S: 503 5.5.1 send EHLO first
    C: EHLO client.test
    ${EHLO_REPLY}
    C: AUTH DIGEST-MD5
    S: 504 5.5.4 auth type unimplemented (#5.5.1)
    C: AUTH PLAIN
    S: 334 ${""}
    C: *
    S: 501 5.0.0 auth exchange cancelled (#5.0.0)
    C: AUTH PLAIN not!base64
    S: 501 5.5.4 malformed auth input (#5.5.4)
    C: AUTH LOGIN
    S: 334 VXNlcm5hbWU6
    C: ====
    S: 501 5.5.4 malformed auth input (#5.5.4)
    C: MAIL FROM:<a@example.net>
    S: 250 2.1.0 ok
    C: AUTH PLAIN AHRlc3RAZG9tYWluLmRlAHRlc3Rpbmc=
    S: 503 5.5.1 no auth during mail transaction (#5.5.0)
    C: RSET
    S: 250 2.0.0 flushed
    C: AUTH PLAIN AHRlc3RAZG9tYWluLmRlAHdyb25n
    S: 535 5.7.8 authorization failed (#5.7.0)
    C: AUTH PLAIN AHRlc3RAZG9tYWluLmRlAHRlc3Rpbmc=
    S: 235 2.0.0 ok, go ahead (#2.0.0)
    C: AUTH PLAIN AHRlc3RAZG9tYWluLmRlAHRlc3Rpbmc=
    S: 503 5.5.1 you're already authenticated (#5.5.0)
  `);
  await client.close();
});

test("CRAM-MD5 with the challenge from the injected random source", async () => {
  const { hmac } = await import("@noble/hashes/hmac.js");
  const { md5 } = await import("@noble/hashes/legacy.js");
  const server = await dialogueServer();
  const client = server.connect();
  await client.play(`S~ 220\nC: EHLO client.test\n${EHLO_REPLY}\nC: AUTH CRAM-MD5`);
  const challengeLine = await client.readLine();
  const challenge = atob(challengeLine!.slice(4));
  equal(/^<\d+\.\d+@mail\.domain\.de>$/.test(challenge), true, challenge);
  const digest = [
    ...hmac(md5, new TextEncoder().encode("testing"), new TextEncoder().encode(challenge)),
  ]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  await client.play(`
    C: ${btoa(`test@domain.de ${digest}`)}
    S: 235 2.0.0 ok, go ahead (#2.0.0)
  `);
  await client.close();
});

test("commands out of order, unknown and malformed get 503, 502 and 501", async () => {
  const server = await dialogueServer();
  const client = server.connect();
  await client.play(`
    S~ 220
    C: MAIL FROM:<a@example.net>
    S: 503 5.5.1 send HELO or EHLO first
    C: EHLO
    S: 501 5.5.4 syntax error, use: EHLO hostname
    C: HELO client.test
    S: 250 mail.domain.de
    C: RCPT TO:<test@domain.de>
    S: 503 5.5.1 MAIL first (#5.5.1)
    C: DATA
    S: 503 5.5.1 MAIL first (#5.5.1)
    C: MAIL FROM:a@b@
    S~ 501 5.1.7
    C: MAIL FROM:<a@example.net> FOO=BAR
    S: 555 5.5.4 unsupported parameter FOO (#5.5.4)
    C: MAIL FROM:<a@example.net> SIZE=2000000
    S: 552 5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)
    C: MAIL FROM:<>
    S: 250 2.1.0 ok
    C: MAIL FROM:<a@example.net>
    S: 503 5.5.1 nested MAIL command
    C: DATA
    S: 503 5.5.1 RCPT first (#5.5.1)
    C: RCPT TO:<test@domain.de> NOTIFY=NEVER
    S: 555 5.5.4 unsupported parameter NOTIFY (#5.5.4)
    C: RCPT TO:<>
    S~ 501 5.1.3
    C: EXPN staff
    S: 502 5.5.1 unimplemented (#5.5.1)
    C: VRFY test
    S: 252 2.5.2 send some mail, i'll try my best
    C: HELP
    S~ 214 2.0.0
    C: NOOP
    S: 250 2.0.0 ok
  `);
  await client.send(`NOOP ${"x".repeat(3000)}\r\nNOOP\r\n`);
  await client.play(`
    S: 500 5.5.2 line too long
    S: 250 2.0.0 ok
  `);
  await client.close();
});

test("a message over the size limit gets 552 and is not queued", async () => {
  const server = await dialogueServer();
  const client = server.connect({ maxMessageBytes: 100 });
  await client.play(`
    S~ 220
    C: HELO client.test
    S~ 250
    C: MAIL FROM:<a@example.net>
    S~ 250
    C: RCPT TO:<test@domain.de>
    S~ 250
    C: DATA
    S~ 354
  `);
  await client.send(`${"x".repeat(60)}\r\n`.repeat(3) + ".\r\nNOOP\r\n");
  await client.play(`
    S: 552 5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)
    S: 250 2.0.0 ok
  `);
  await client.close();
  equal((await server.stores.queue.list({ limit: 10 })).items.length, 0);
});

test("a smuggling attempt gets qmail's 451 and the connection closes; nothing is queued", async () => {
  for (const sequence of ["\n.\n", "\n.\r\n", "\r.\r", "\r\n.\n"]) {
    const server = await dialogueServer();
    const client = server.connect();
    await client.play("S~ 220\nC: HELO client.test\nS~ 250");
    await client.send(
      "MAIL FROM:<a@example.net>\r\nRCPT TO:<test@domain.de>\r\nDATA\r\n" +
        `Subject: one\r\n\r\nbody${sequence}MAIL FROM:<evil@example.org>\r\n` +
        "RCPT TO:<test@domain.de>\r\nDATA\r\nSubject: smuggled\r\n\r\n.\r\nNOOP\r\n",
    );
    await client.play(`
      S~ 250 2.1.0
      S~ 250 2.1.5
      S: 354 go ahead
      S~ 451 4.5.0 bare LF or CR
    `);
    equal(await client.readLine(), undefined, "the connection is closed");
    await client.finished;
    equal((await server.stores.queue.list({ limit: 10 })).items.length, 0);
  }
});

test("inside TLS the Received header says ESMTPSA with the TLS version and cipher", async () => {
  const server = await dialogueServer();
  const client = server.connect({
    tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" },
  });
  await client.play(`
    S~ 220
    C: EHLO client.test
    S~ 250-mail.domain.de
    S~ 250-AUTH
    S~ 250-AUTH=
    S~ 250-PIPELINING
    S~ 250-8BITMIME
    S~ 250-SIZE
    S: 250 ENHANCEDSTATUSCODES
    C: STARTTLS
    S: 503 5.5.1 TLS already active
    C: AUTH PLAIN AHRlc3RAZG9tYWluLmRlAHRlc3Rpbmc=
    S~ 235
    C: MAIL FROM:<test@domain.de>
    S~ 250
    C: RCPT TO:<friend@example.net>
    S~ 250
    C: DATA
    S~ 354
    C: hi
    C: .
    S~ 250 2.0.0 ok
  `);
  await client.close();
  const [message] = (await server.stores.queue.list({ limit: 1 })).items;
  let body = "";
  for await (const chunk of server.stores.queue.readBody(message.id)) {
    body += new TextDecoder().decode(chunk);
  }
  deepEqual(body.split("\r\n").slice(0, 3).map((line) => line.replace(/; .*$/, "")), [
    "Received: from unknown (HELO client.test) (test@domain.de@192.168.10.10)",
    "  (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)",
    "  by mail.domain.de with ESMTPSA",
  ]);
});

test("STARTTLS: 454 without a certificate; with one, 220 and pipelined plaintext is dropped", async () => {
  const server = await dialogueServer();
  const withoutCertificate = server.connect();
  await withoutCertificate.play(`
    S~ 220
    C: STARTTLS
    S: 454 4.7.0 TLS not available
  `);
  await withoutCertificate.close();

  const { ServerSession } = await import("../smtp/server_session.ts");
  const session = new ServerSession({
    hostname: "mail.domain.de",
    clientAddress: "192.0.2.1",
    maxMessageBytes: 1000,
    authMechanisms: [],
    authFailureDelayMs: 0,
    randomBytes: (n) => new Uint8Array(n),
    startTls: true,
  });
  const ehlo = session.receive(new TextEncoder().encode("EHLO c\r\n"), 0);
  equal((ehlo[0] as { text: string }).text.includes("250-STARTTLS\r\n"), true);
  deepEqual(session.receive(new TextEncoder().encode("STARTTLS\r\nRSET\r\n"), 0), [
    { kind: "send", text: "220 2.0.0 Ready to start TLS\r\n" },
    { kind: "start-tls" },
  ]);
  equal(session.closed, true);
  deepEqual(session.receive(new TextEncoder().encode("NOOP\r\n"), 0), []);
});
