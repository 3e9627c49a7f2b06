/**
 * TLS with a real server process: STARTTLS (RFC 3207), submission (RFC 6409),
 * implicit TLS (RFC 8314) and no AUTH in the clear, driven by clients nobody
 * here wrote (openssl s_client, swaks, nodemailer, Python's smtplib) and by a
 * raw socket where exact bytes matter (CVE-2011-0411).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import nodemailer from "nodemailer";
import { parseMetrics, sampleValue } from "./_prometheus.ts";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import { addLocalUser, listQueue, type RunningTollgate, startTollgate } from "./_server.ts";
import { makeTestCertificate, type TestCertificate } from "./_tls_cert.ts";
import { runWithInput } from "./_command.ts";

const USER = { address: "test@domain.de", password: "testing" };
const PLAIN_AUTH = btoa("\0test@domain.de\0testing");

async function withTlsServer(
  run: (server: RunningTollgate, certificate: TestCertificate) => Promise<void>,
  env: Record<string, string> = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-tls-" });
  const certificate = await makeTestCertificate(dir);
  const server = await startTollgate({
    env: {
      TOLLGATE_TLS_CERT: certificate.certPath,
      TOLLGATE_TLS_KEY: certificate.keyPath,
      TOLLGATE_INSECURE_AUTH: "never",
      ...env,
    },
  });
  try {
    await addLocalUser(server, USER);
    await run(server, certificate);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(command: string, args: string[], input = "") {
  const { code, stdout, stderr } = await runWithInput(command, args, input);
  return { code, output: stdout + stderr };
}

Deno.test("STARTTLS: no AUTH before TLS (538), CVE-2011-0411 injection answers nothing, relay after login", async () => {
  await withTlsServer(async (server, certificate) => {
    const client = await RawSmtpClient.connect(server.smtpPort);
    try {
      equal((await client.reply()).code, 220);
      const before = await client.command("EHLO client.test");
      ok(before.lines.includes("STARTTLS"));
      ok(!before.lines.some((line) => line.startsWith("AUTH")), "no AUTH offered in the clear");
      deepEqual(await client.command(`AUTH PLAIN ${PLAIN_AUTH}`), {
        code: 538,
        lines: ["5.7.11 Encryption required for requested authentication mechanism"],
      });
      // The plaintext RSET after STARTTLS must never be answered inside TLS.
      await client.write("STARTTLS\r\nRSET\r\n");
      deepEqual(await client.reply(), { code: 220, lines: ["2.0.0 Ready to start TLS"] });
      await client.startTls({ hostname: "mail.domain.de", caCerts: [certificate.pem] });
      deepEqual(await client.command("NOOP"), { code: 250, lines: ["2.0.0 ok"] });
      const inside = await client.command("EHLO client.test");
      ok(inside.lines.includes("AUTH LOGIN CRAM-MD5 PLAIN"));
      ok(!inside.lines.includes("STARTTLS"), "STARTTLS is not offered twice");
      equal((await client.command("STARTTLS")).code, 503);
      equal((await client.command(`AUTH PLAIN ${PLAIN_AUTH}`)).code, 235);
      const reply = await sendMessage(client, {
        from: USER.address,
        to: ["friend@example.net"],
        body: "Subject: over STARTTLS\r\n\r\nhello\r\n",
      });
      equal(reply.code, 250);
    } finally {
      client.close();
    }
    const [message] = await listQueue(server);
    equal(message.authUser, USER.address);
  });
});

Deno.test("submission port: MAIL without AUTH is refused with 530; implicit TLS port greets inside TLS", async () => {
  await withTlsServer(async (server, certificate) => {
    const submission = await RawSmtpClient.connect(server.submissionPort!);
    try {
      equal((await submission.reply()).code, 220);
      await submission.command("EHLO client.test");
      deepEqual(await submission.command("MAIL FROM:<test@domain.de>"), {
        code: 530,
        lines: ["5.7.0 Authentication required"],
      });
    } finally {
      submission.close();
    }
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: server.submissionsPort!,
      caCerts: [certificate.pem],
    });
    const buffer = new Uint8Array(512);
    const count = await conn.read(buffer);
    equal(new TextDecoder().decode(buffer.subarray(0, count ?? 0)), "220 mail.domain.de ESMTP\r\n");
    conn.close();
  });
});

Deno.test("openssl s_client: -starttls smtp and -connect to the implicit port, ended with close_notify", async () => {
  await withTlsServer(async (server) => {
    const starttls = await run("openssl", [
      "s_client",
      "-starttls",
      "smtp",
      "-connect",
      `127.0.0.1:${server.smtpPort}`,
      "-crlf",
      "-quiet",
    ], "EHLO openssl.test\nQUIT\n");
    ok(starttls.output.includes("CN = mail.domain.de"), starttls.output);
    ok(starttls.output.includes("250-AUTH LOGIN CRAM-MD5 PLAIN"), starttls.output);
    ok(starttls.output.includes("221 2.0.0 mail.domain.de"), starttls.output);
    // OpenSSL 3 reports a TCP close without TLS close_notify as "unexpected eof" and exits 1.
    equal(starttls.code, 0, starttls.output);
    const implicit = await run("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${server.submissionsPort}`,
      "-crlf",
      "-quiet",
    ], "EHLO openssl.test\nQUIT\n");
    ok(implicit.output.includes("220 mail.domain.de ESMTP"), implicit.output);
    ok(implicit.output.includes("250-AUTH LOGIN CRAM-MD5 PLAIN"), implicit.output);
    ok(!implicit.output.includes("STARTTLS"), implicit.output);
    equal(implicit.code, 0, implicit.output);
    // Both sessions counted by listener and protocol version, read by prometheus_client.
    const metrics = await parseMetrics(await (await server.admin("GET", "/metrics")).text());
    const tls13 = (listener: string) =>
      sampleValue(metrics, "tollgate_tls_sessions_total", { listener, version: "TLSv1.3" });
    deepEqual([tls13("smtp"), tls13("submissions")], [1, 1]);
  });
});

Deno.test("swaks: --tls with AUTH LOGIN on port 25 style, --tlsc with AUTH PLAIN on the implicit port", async () => {
  await withTlsServer(async (server) => {
    const common = [
      "--from",
      USER.address,
      "--to",
      "friend@example.net",
      "--auth-user",
      USER.address,
      "--auth-password",
      USER.password,
    ];
    const starttls = await run("swaks", [
      "--server",
      `127.0.0.1:${server.smtpPort}`,
      "--tls",
      "--auth",
      "LOGIN",
      ...common,
    ]);
    equal(starttls.code, 0, starttls.output);
    ok(starttls.output.includes("235 2.0.0 ok, go ahead"), starttls.output);
    const implicit = await run("swaks", [
      "--server",
      `127.0.0.1:${server.submissionsPort}`,
      "--tlsc",
      "--auth",
      "PLAIN",
      ...common,
    ]);
    equal(implicit.code, 0, implicit.output);
    equal((await listQueue(server)).length, 2);
  });
});

Deno.test("nodemailer: requireTLS on submission and secure: true on the implicit port", async () => {
  await withTlsServer(async (server, certificate) => {
    for (
      const options of [{ port: server.submissionPort!, requireTLS: true, secure: false }, {
        port: server.submissionsPort!,
        secure: true,
      }]
    ) {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        ...options,
        auth: { user: USER.address, pass: USER.password },
        tls: { ca: [certificate.pem], servername: "mail.domain.de" },
      });
      const info = await transport.sendMail({
        from: USER.address,
        to: "friend@example.net",
        subject: `nodemailer on ${options.port}`,
        text: "hello",
      });
      deepEqual(info.accepted, ["friend@example.net"]);
      transport.close();
    }
    const queued = await listQueue(server);
    equal(queued.length, 2);
    ok(queued.every((message) => message.authUser === USER.address));
  });
});

Deno.test("Python smtplib: starttls() and SMTP_SSL", async () => {
  await withTlsServer(async (server, certificate) => {
    const script = `
import smtplib, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[1])
with smtplib.SMTP("127.0.0.1", int(sys.argv[2])) as s:
    s.ehlo("python.test")
    assert not s.has_extn("auth"), "AUTH offered in the clear"
    s.starttls(context=context)
    s.ehlo("python.test")
    s.login("test@domain.de", "testing")
    s.sendmail("test@domain.de", ["friend@example.net"], "Subject: starttls\\r\\n\\r\\nhi\\r\\n")
with smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[3]), context=context) as s:
    s.login("test@domain.de", "testing")
    s.sendmail("test@domain.de", ["friend@example.net"], "Subject: ssl\\r\\n\\r\\nhi\\r\\n")
print("sent both")
`;
    const result = await run("python3", [
      "-c",
      script,
      certificate.certPath,
      String(server.smtpPort),
      String(server.submissionsPort),
    ]);
    equal(result.code, 0, result.output);
    equal((await listQueue(server)).length, 2);
  });
});
