import { deepEqual, equal, match, rejects, throws } from "node:assert/strict";
import { deliverToMaildir, maildirFor } from "../runtime/deno/maildir.ts";
import { withTempDir } from "./_data_dir.ts";

const withRoot = (body: (root: string) => Promise<void>) => withTempDir("tollgate-maildir-", body);

async function* pieces(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function names(folder: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(folder)) found.push(entry.name);
  return found.sort();
}

Deno.test("maildir: a message lands in new/ with Return-Path, Delivered-To and LF line ends", () =>
  withRoot(async (root) => {
    const path = await deliverToMaildir({
      from: "sender@example.net",
      mailbox: "test@domain.de",
      body: pieces("Received: from x\r\nSubject: hi\r", "\n\r\nline one\r\nline two\r\n"),
    }, { root, hostname: "mail.domain.de", now: () => 1_700_000_000_123 });
    const folder = `${root}/domain.de/test`;
    equal(path.startsWith(`${folder}/new/1700000000.M123000P${Deno.pid}Q`), true);
    match(path, /R[0-9a-f]{8}\.mail\.domain\.de,S=\d+$/);
    const text = await Deno.readTextFile(path);
    equal(
      text,
      "Return-Path: <sender@example.net>\nDelivered-To: test@domain.de\n" +
        "Received: from x\nSubject: hi\n\nline one\nline two\n",
    );
    equal(Number(/,S=(\d+)$/.exec(path)![1]), (await Deno.stat(path)).size);
    deepEqual(await names(`${folder}/tmp`), []);
    deepEqual(await names(`${folder}/cur`), []);
    equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  }));

Deno.test("maildir: the null sender is Return-Path: <>, and a lone CR is kept", () =>
  withRoot(async (root) => {
    const path = await deliverToMaildir(
      { from: "", mailbox: "test@domain.de", body: pieces("A: 1\r\n\r\nx\ry\r") },
      { root, hostname: "h" },
    );
    equal(
      await Deno.readTextFile(path),
      "Return-Path: <>\nDelivered-To: test@domain.de\nA: 1\n\nx\ry\r",
    );
  }));

Deno.test("maildir: concurrent deliveries in the same millisecond get distinct files", () =>
  withRoot(async (root) => {
    const paths = await Promise.all(Array.from({ length: 40 }, (_, n) =>
      deliverToMaildir(
        { from: "a@example.net", mailbox: "test@domain.de", body: pieces(`N: ${n}\r\n\r\n`) },
        { root, hostname: "mail/host:1", now: () => 5000 },
      )));
    equal(new Set(paths).size, 40);
    const files = await names(`${root}/domain.de/test/new`);
    equal(files.length, 40);
    equal(files.every((name) => name.includes(".mail\\057host\\0721,S=")), true);
    const bodies = await Promise.all(paths.map((path) => Deno.readTextFile(path)));
    deepEqual(
      bodies.map((body) => body.split("\n")[2]).sort(),
      Array.from({ length: 40 }, (_, n) => `N: ${n}`).sort(),
    );
  }));

Deno.test("maildir: a body that fails midway leaves nothing in new/ or tmp/", () =>
  withRoot(async (root) => {
    async function* broken(): AsyncIterable<Uint8Array> {
      yield new TextEncoder().encode("Subject: half\r\n");
      throw new Error("queue read failed");
    }
    await rejects(
      deliverToMaildir({ from: "a@example.net", mailbox: "test@domain.de", body: broken() }, {
        root,
        hostname: "h",
      }),
      /queue read failed/,
    );
    deepEqual(await names(`${root}/domain.de/test/new`), []);
    deepEqual(await names(`${root}/domain.de/test/tmp`), []);
  }));

Deno.test("maildir: user names that are not plain file names get a folder of their own", () => {
  equal(maildirFor("/m", "test@domain.de"), "/m/domain.de/test");
  equal(maildirFor("/m", "a/b@domain.de"), "/m/domain.de/a%2Fb");
  equal(maildirFor("/m", "..@domain.de"), "/m/domain.de/%2E.");
  equal(maildirFor("/m", "50%@domain.de"), "/m/domain.de/50%25");
  equal(maildirFor("/m", "a@b@domain.de"), "/m/domain.de/a@b");
  for (const bad of ["@domain.de", "test", "test@", "test@../etc", "test@Domain.DE", "a\0@d.de"]) {
    throws(() => maildirFor("/m", bad), RangeError, bad);
  }
});
