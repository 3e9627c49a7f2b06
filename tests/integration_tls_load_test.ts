/**
 * 300 sequential STARTTLS sessions against a real server process while its
 * certificate is replaced, then replaced by a broken file: no session hangs
 * or fails, new handshakes get the new certificate, and a broken file keeps
 * the old one.
 */
import { equal, ok } from "node:assert/strict";
import { RawSmtpClient } from "./_raw_smtp.ts";
import { startTollgate } from "./_server.ts";
import { makeTestCertificate } from "./_tls_cert.ts";

const SESSIONS = 300;
const SESSION_GUARD_MS = 10_000;

async function starttlsSession(port: number, caCerts: string[]): Promise<void> {
  const client = await RawSmtpClient.connect(port);
  let guard: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error("session hung")), SESSION_GUARD_MS);
  });
  try {
    await Promise.race([
      hung,
      (async () => {
        equal((await client.reply()).code, 220);
        equal((await client.command("EHLO load.test")).code, 250);
        equal((await client.command("STARTTLS")).code, 220);
        await client.startTls({ hostname: "mail.domain.de", caCerts });
        equal((await client.command("EHLO load.test")).code, 250);
        equal((await client.command("QUIT")).code, 221);
      })(),
    ]);
  } finally {
    clearTimeout(guard);
    client.close();
  }
}

async function subjectOf(port: number): Promise<string> {
  const child = new Deno.Command("openssl", {
    args: ["s_client", "-starttls", "smtp", "-connect", `127.0.0.1:${port}`, "-crlf"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("QUIT\n"));
  await writer.close();
  const output = new TextDecoder().decode((await child.output()).stdout);
  return /subject=.*CN ?= ?([\w.-]+)/.exec(output)?.[1] ?? `(no subject in: ${output})`;
}

async function waitForOutput(output: () => string, text: string, from: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (output().slice(from).includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server never logged "${text}"; output:\n${output()}`);
}

Deno.test(`${SESSIONS} sequential STARTTLS sessions across a certificate reload and a broken file`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-tls-load-" });
  const first = await makeTestCertificate(dir, "mail.domain.de");
  const second = await makeTestCertificate(dir, "renewed.domain.de");
  const certPath = `${dir}/live.cert.pem`;
  const keyPath = `${dir}/live.key.pem`;
  await Deno.copyFile(first.certPath, certPath);
  await Deno.copyFile(first.keyPath, keyPath);
  const server = await startTollgate({
    env: { TOLLGATE_TLS_CERT: certPath, TOLLGATE_TLS_KEY: keyPath },
  });
  try {
    const caCerts = [first.pem, second.pem];
    equal(await subjectOf(server.smtpPort), "mail.domain.de");
    let completed = 0;
    for (let i = 0; i < SESSIONS; i++) {
      if (i === 100) {
        const mark = server.output().length;
        await Deno.writeTextFile(keyPath, await Deno.readTextFile(second.keyPath));
        await Deno.writeTextFile(certPath, second.pem);
        await waitForOutput(server.output, "tls certificate reloaded", mark);
      }
      if (i === 200) {
        const mark = server.output().length;
        await Deno.writeTextFile(certPath, "-----BEGIN CERTIFICATE-----\nbroken\n");
        await waitForOutput(server.output, "reload failed, keeping the old one", mark);
      }
      await starttlsSession(server.smtpPort, caCerts);
      completed++;
    }
    equal(completed, SESSIONS);
    equal(await subjectOf(server.smtpPort), "renewed.domain.de");
    ok(!server.output().includes(" error "), server.output());
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
