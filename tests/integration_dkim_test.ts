/**
 * DKIM end to end: messages relayed through a real Tollgate process to an
 * aiosmtpd sink, verified from the bytes the sink received by dkimpy and
 * mailauth with the records the admin API lists.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { addLocalUser, adminOk, type RunningTollgate, startTollgate } from "./_server.ts";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import {
  type DnsRecord,
  type RunningDkimSink,
  startDkimSink,
  type Verdict,
  verifyWithDkimpy,
  verifyWithMailauth,
} from "./_dkim_parties.ts";

const USER = { address: "test@domain.de", password: "testing" };
const NO_KEYS = { address: "plain@nokeys.de", password: "testing" };

async function send(
  tollgate: RunningTollgate,
  message: { from: string; to: string[]; body: string },
  login?: { address: string; password: string },
): Promise<void> {
  const client = await RawSmtpClient.connect(tollgate.smtpPort);
  try {
    await client.reply();
    await client.command("EHLO client.test");
    if (login) {
      const plain = btoa(`\0${login.address}\0${login.password}`);
      equal((await client.command(`AUTH PLAIN ${plain}`)).code, 235);
    }
    equal((await sendMessage(client, message)).code, 250);
    await client.command("QUIT");
  } finally {
    client.close();
  }
}

const mail = (headers: string[], body: string) => `${headers.join("\r\n")}\r\n\r\n${body}`;
const basic = (subject: string) => [
  "From: Test User <test@domain.de>",
  "To: friend@example.net",
  `Subject: ${subject}`,
  "Date: Tue, 01 Dec 2026 10:00:00 +0100",
  `Message-ID: <${crypto.randomUUID()}@domain.de>`,
];

async function records(tollgate: RunningTollgate, domain: string): Promise<DnsRecord[]> {
  const view = await adminOk(tollgate, { method: "GET", path: `/api/dkim/${domain}` });
  return (view as { records: DnsRecord[] }).records;
}

async function bothVerifiers(bytes: Uint8Array, dns: DnsRecord[]): Promise<Verdict[][]> {
  return [await verifyWithDkimpy(bytes, dns), await verifyWithMailauth(bytes, dns)];
}

const passing = (selector: string): Verdict[] => [
  { d: "domain.de", s: `${selector}-rsa`, a: "rsa-sha256", ok: true },
  { d: "domain.de", s: `${selector}-ed`, a: "ed25519-sha256", ok: true },
];

Deno.test("dkim: relayed mail is signed with RSA and Ed25519, verified by dkimpy and mailauth", async (t) => {
  const sink: RunningDkimSink = await startDkimSink();
  const tollgate = await startTollgate({ env: { TOLLGATE_DELIVERY: "on" } });
  let sunk = 0;
  const relay = async (body: string, login = USER, from = login.address) => {
    await send(tollgate, { from, to: ["friend@example.net"], body }, login);
    const messages = await sink.messages(++sunk);
    return messages[sunk - 1].bytes;
  };
  try {
    await addLocalUser(tollgate, USER);
    await addLocalUser(tollgate, NO_KEYS);
    const route = { relay: "127.0.0.1", port: sink.port, tls: "none" };
    await adminOk(tollgate, { method: "PUT", path: "/api/routes/*", body: route });
    const created = await adminOk(tollgate, {
      method: "PUT",
      path: "/api/dkim/domain.de",
      body: { selector: "old" },
    }) as { records: DnsRecord[] };
    deepEqual(created.records.map((r) => r.name), [
      "old-ed._domainkey.domain.de",
      "old-rsa._domainkey.domain.de",
    ]);
    match(created.records[1].value, /^v=DKIM1; k=rsa; p=MIIBIjAN/);
    match(created.records[0].value, /^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/);

    await t.step("a plain message", async () => {
      const bytes = await relay(mail(basic("plain"), "Hello.\r\n"));
      const text = new TextDecoder().decode(bytes);
      match(
        text,
        /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=domain.de; s=old-rsa;/,
      );
      match(text, /h=from:subject:date:to:message-id:from;/);
      ok(!/\bl=/.test(text.slice(0, text.indexOf("Received:"))), "no l= tag");
      deepEqual(await bothVerifiers(bytes, created.records), [passing("old"), passing("old")]);
    });

    await t.step("an 8-bit body and header", async () => {
      const headers = [
        ...basic("Grüße aus Köln"),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
      ];
      const bytes = await relay(mail(headers, "Grüße,   äöü  \r\n\tß€\r\n\r\n\r\n"));
      deepEqual(await bothVerifiers(bytes, created.records), [passing("old"), passing("old")]);
    });

    await t.step("long folded headers", async () => {
      const to = Array.from({ length: 30 }, (_, i) => `Friend ${i} <friend${i}@example.net>`);
      const headers = [
        "From: Test User <test@domain.de>",
        `To: ${to.join(",\r\n\t")}`,
        `Subject: ${"a long subject ".repeat(8)}\r\n  ${"continued  here ".repeat(8)}\r\n\tend  `,
        "Date: Tue, 01 Dec 2026 10:00:00 +0100",
        `References: ${Array.from({ length: 12 }, (_, i) => `<ref${i}@domain.de>`).join("\r\n ")}`,
        `X-Long: ${"x".repeat(900)}`,
      ];
      const bytes = await relay(mail(headers, "Body  with   spaces \t \r\nand a last line"));
      deepEqual(await bothVerifiers(bytes, created.records), [passing("old"), passing("old")]);
    });

    await t.step("lines that start with a dot", async () => {
      const body = ".hidden\r\n..two\r\n.\r\n. \r\nend\r\n";
      const bytes = await relay(mail(basic("dots"), body));
      match(
        new TextDecoder().decode(bytes),
        /\r\n\r\n\.hidden\r\n\.\.two\r\n\.\r\n\. \r\nend\r\n$/,
      );
      deepEqual(await bothVerifiers(bytes, created.records), [passing("old"), passing("old")]);
    });

    await t.step(
      "after a rotation the new selector signs, the old record stays listed",
      async () => {
        await adminOk(tollgate, {
          method: "PUT",
          path: "/api/dkim/domain.de",
          body: { selector: "new" },
        });
        const dns = await records(tollgate, "domain.de");
        deepEqual(dns.map((r) => r.name.split(".")[0]), ["new-ed", "new-rsa", "old-ed", "old-rsa"]);
        const bytes = await relay(mail(basic("rotated"), "Hello again.\r\n"));
        deepEqual(await bothVerifiers(bytes, dns), [passing("new"), passing("new")]);
        await adminOk(tollgate, { method: "DELETE", path: "/api/dkim/domain.de/old" });
        deepEqual((await records(tollgate, "domain.de")).length, 2);
      },
    );

    await t.step("a domain without keys is not signed", async () => {
      const headers = ["From: plain@nokeys.de", "To: friend@example.net", "Subject: none"];
      const bytes = await relay(mail(headers, "Unsigned.\r\n"), NO_KEYS);
      ok(!new TextDecoder().decode(bytes).includes("DKIM-Signature"));
    });

    await t.step("mail from outside for a local user is not signed", async () => {
      const body = mail(basic("from outside"), "Passing through.\r\n");
      await send(tollgate, { from: "someone@outside.example", to: [USER.address], body });
      const folder = `${tollgate.dataDir}/mail/domain.de/test/new`;
      let files: string[] = [];
      for (let i = 0; i < 100 && files.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        files = await Array.fromAsync(Deno.readDir(folder)).then((all) => all.map((f) => f.name))
          .catch(() => []);
      }
      equal(files.length, 1);
      const stored = await Deno.readTextFile(`${folder}/${files[0]}`);
      match(stored, /Passing through/);
      ok(!stored.includes("DKIM-Signature"));
    });

    await t.step("mail from a trusted network is signed without AUTH", async () => {
      await adminOk(tollgate, {
        method: "POST",
        path: "/api/relay-networks",
        body: { cidr: "127.0.0.1" },
      });
      await send(tollgate, {
        from: USER.address,
        to: ["friend@example.net"],
        body: mail(basic("trusted"), "Hi.\r\n"),
      });
      const bytes = (await sink.messages(++sunk))[sunk - 1].bytes;
      deepEqual(await bothVerifiers(bytes, await records(tollgate, "domain.de")), [
        passing("new"),
        passing("new"),
      ]);
    });
  } finally {
    await tollgate.stop();
    await sink.stop();
  }
});
