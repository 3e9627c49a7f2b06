import { deepEqual, equal } from "node:assert/strict";
import { type DataOutcome, DataReader } from "../smtp/data_reader.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Feeds `input` split into pieces of `step` bytes; returns the body and how it ended. */
function read(input: string, step = Infinity, maxBytes = 1 << 20) {
  const reader = new DataReader({ maxBytes });
  const bytes = encoder.encode(input);
  let body = "";
  let consumed = 0;
  let outcome: DataOutcome | undefined;
  for (let start = 0; start < bytes.length && !outcome; start += step) {
    const piece = bytes.slice(start, Math.min(bytes.length, start + step));
    const result = reader.feed(piece);
    body += result.chunks.map((chunk) => decoder.decode(chunk)).join("");
    consumed += result.consumed;
    outcome = result.outcome;
  }
  return { body, consumed, outcome };
}

Deno.test("DATA: dot-unstuffing and the end marker, whatever the packet boundaries", () => {
  const input = "Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n";
  for (const step of [1, 2, 3, 5, 7, 1000]) {
    const { body, consumed, outcome } = read(input, step);
    equal(body, "Subject: x\r\n\r\n.leading dot\r\n", `step ${step}`);
    deepEqual(outcome, { kind: "complete", size: body.length });
    equal(consumed, input.length - "QUIT\r\n".length);
  }
});

Deno.test("DATA: an empty message and a message of only a stuffed dot", () => {
  deepEqual(read(".\r\n"), { body: "", consumed: 3, outcome: { kind: "complete", size: 0 } });
  equal(read("..\r\n.\r\n").body, ".\r\n");
});

// Every way of writing the end of data without CRLF on both sides: none may
// end the message; each is refused as a bare CR or LF (qmail's answer).
const SMUGGLING = [
  "\n.\n",
  "\n.\r\n",
  "\r\n.\n",
  "\r.\r",
  "\r.\r\n",
  "\r\n.\r",
  "\n.\r",
  "\r.\n",
  "\r\n.\rX",
  "x\ry",
  "x\ny",
];

Deno.test("DATA: SMTP smuggling sequences never end the message; each is refused", () => {
  for (const sequence of SMUGGLING) {
    const smuggled = `Subject: one\r\n\r\nbody${sequence}MAIL FROM:<evil@example.org>\r\n` +
      "RCPT TO:<victim@example.net>\r\nDATA\r\nSubject: two\r\n\r\n.\r\n";
    for (const step of [1, 4, 1000]) {
      const { outcome } = read(smuggled, step);
      deepEqual(outcome, { kind: "bare-newline" }, JSON.stringify(sequence));
    }
  }
});

Deno.test("DATA: limits are reported at the end of data, not mid-stream", () => {
  deepEqual(read(`${"x".repeat(50)}\r\n`.repeat(3) + ".\r\n", 7, 100).outcome, {
    kind: "too-big",
  });
  deepEqual(read(`${"y".repeat(999)}\r\n.\r\n`).outcome, { kind: "line-too-long" });
  equal(read(`${"y".repeat(998)}\r\n.\r\n`).outcome?.kind, "complete");
  const hops = "Received: from a\r\n".repeat(99) + "Delivered-To: x\r\n\r\nbody\r\n.\r\n";
  deepEqual(read(hops, 13).outcome, { kind: "too-many-hops" });
  const fine = "Received: from a\r\n".repeat(99) + "\r\nReceived: in body\r\n.\r\n";
  equal(read(fine).outcome?.kind, "complete");
});

Deno.test("DATA: a 25 MiB body streams in pieces without being held whole", () => {
  const reader = new DataReader({ maxBytes: 26214400 });
  const line = encoder.encode(`${"z".repeat(76)}\r\n`);
  const block = new Uint8Array(line.length * 1000);
  for (let i = 0; i < 1000; i++) block.set(line, i * line.length);
  let total = 0;
  let largestChunk = 0;
  while (total + block.length <= 25 * 1024 * 1024) {
    const result = reader.feed(block);
    for (const chunk of result.chunks) {
      total += chunk.length;
      largestChunk = Math.max(largestChunk, chunk.length);
    }
    equal(result.outcome, undefined);
  }
  const end = reader.feed(encoder.encode(".\r\n"));
  deepEqual(end.outcome, { kind: "complete", size: total });
  equal(largestChunk <= block.length, true);
});
