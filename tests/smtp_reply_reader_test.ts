import { deepEqual, equal } from "node:assert/strict";
import { ReplyReader, replyText } from "../smtp/reply_reader.ts";
import { parseCapabilities } from "../smtp/client_capabilities.ts";

const encoder = new TextEncoder();

function read(...chunks: string[]) {
  const reader = new ReplyReader();
  const results = [];
  for (const chunk of chunks) {
    reader.append(encoder.encode(chunk));
    for (let result = reader.next(); result.kind !== "need-data"; result = reader.next()) {
      results.push(result);
      if (result.kind === "malformed") return results;
    }
  }
  return results;
}

Deno.test("reply reader: single and multi-line replies, split anywhere", () => {
  deepEqual(read("250-a\r\n25", "0-b\r\n250 c\r", "\n354\r\n"), [
    { kind: "reply", reply: { code: 250, lines: ["a", "b", "c"] } },
    { kind: "reply", reply: { code: 354, lines: [""] } },
  ]);
});

Deno.test("reply reader: garbage, a changing code and endless lines are malformed", () => {
  deepEqual(read("hello\r\n"), [{ kind: "malformed", reason: 'malformed reply "hello"' }]);
  deepEqual(read("250-a\r\n550 b\r\n"), [{
    kind: "malformed",
    reason: 'reply code changed within a reply: "550 b"',
  }]);
  deepEqual(read("150 x\r\n"), [{ kind: "malformed", reason: 'malformed reply "150 x"' }]);
  equal(read(`250 ${"x".repeat(5000)}\r\n`)[0].kind, "malformed");
  equal(read("250-x\r\n".repeat(250)).at(-1)?.kind, "malformed");
});

Deno.test("reply reader: replyText is one line; control characters are masked", () => {
  equal(replyText({ code: 250, lines: [""] }), "250");
  equal(replyText({ code: 550, lines: ["5.1.1 a", "", "b\x1b[31m"] }), "550 5.1.1 a b?[31m");
});

Deno.test("capabilities: the seed's EHLO reply, with the old AUTH= form merged", () => {
  const caps = parseCapabilities([
    "mail.domain.de",
    "AUTH LOGIN CRAM-MD5 PLAIN",
    "AUTH=LOGIN CRAM-MD5 PLAIN",
    "PIPELINING",
    "8BITMIME",
  ]);
  deepEqual(caps, {
    pipelining: true,
    startTls: false,
    eightBitMime: true,
    auth: ["LOGIN", "CRAM-MD5", "PLAIN"],
    keywords: ["AUTH", "PIPELINING", "8BITMIME"],
  });
});

Deno.test("capabilities: case, SIZE with and without a limit, the old form alone", () => {
  const caps = parseCapabilities(["x", "starttls", "size 1024", "auth=plain login", "X-FOO bar"]);
  equal(caps.startTls, true);
  equal(caps.size, 1024);
  deepEqual(caps.auth, ["PLAIN", "LOGIN"]);
  deepEqual(caps.keywords, ["STARTTLS", "SIZE", "AUTH", "X-FOO"]);
  equal(parseCapabilities(["x", "SIZE"]).size, 0);
  equal(parseCapabilities(["x", "SIZE -5"]).size, 0);
  equal(parseCapabilities(["x"]).size, undefined);
});
