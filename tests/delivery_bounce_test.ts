import { deepEqual, equal, throws } from "node:assert/strict";
import { type BounceRequest, buildBounce, readHeaderBlock } from "../delivery/bounce.ts";
import { parseDsn } from "./_dsn.ts";

const RECEIVED = Date.UTC(2002, 7, 2, 15, 16, 26);

function request(overrides: Partial<BounceRequest> = {}): BounceRequest {
  return {
    message: { id: "01a2253631000000000a", from: "test@domain.de", receivedAt: RECEIVED },
    failed: [{
      address: "nobody@example.net",
      reply: "550 5.1.1 <nobody@example.net>: no such user",
      remoteMta: "relay.example.net",
      expired: false,
    }],
    originalHeaders: "Received: from unknown (HELO x)\r\nSubject: hello there\r\n",
    reportingMta: "mail.domain.de",
    now: RECEIVED + 60_000,
    boundary: "Zb0undary7",
    ...overrides,
  };
}

function body(bounce: ReturnType<typeof buildBounce>): string {
  if (bounce.kind !== "bounce") throw new Error(`expected a bounce, got ${bounce.kind}`);
  return bounce.body;
}

Deno.test("buildBounce: an RFC 3464 report that an independent MIME parser reads", async () => {
  const bounce = buildBounce(request());
  equal(bounce.kind, "bounce");
  if (bounce.kind !== "bounce") return;
  equal(bounce.from, "");
  deepEqual(bounce.to, ["test@domain.de"]);
  const dsn = await parseDsn(new TextEncoder().encode(bounce.body));
  deepEqual(dsn.defects, []);
  equal(dsn.type, "multipart/report");
  equal(dsn.reportType, "delivery-status");
  deepEqual(dsn.parts, ["text/plain", "message/delivery-status", "text/rfc822-headers"]);
  equal(dsn.headers["To"], "test@domain.de");
  equal(dsn.headers["Auto-Submitted"], "auto-replied");
  equal(dsn.headers["Date"], "Fri, 02 Aug 2002 15:17:26 +0000"); // re-rendered by the parser
  deepEqual(dsn.blocks, [
    {
      "Reporting-MTA": "dns; mail.domain.de",
      "X-Tollgate-Queue-ID": "01a2253631000000000a",
      "Arrival-Date": "Fri, 2 Aug 2002 15:16:26 +0000",
    },
    {
      "Final-Recipient": "rfc822; nobody@example.net",
      "Action": "failed",
      "Status": "5.1.1",
      "Remote-MTA": "dns; relay.example.net",
      "Diagnostic-Code": "smtp; 550 5.1.1 <nobody@example.net>: no such user",
      "Last-Attempt-Date": "Fri, 2 Aug 2002 15:17:26 +0000",
    },
  ]);
  equal(dsn.returnedHeaders, "Received: from unknown (HELO x)\r\nSubject: hello there\r\n");
  equal(dsn.text?.includes("<nobody@example.net>:\r\n550 5.1.1"), true);
  equal(dsn.text?.includes("This is a permanent error"), true);
});

Deno.test("buildBounce: status from the reply's class, 4.4.7 for an expired reason without code", async () => {
  const bounce = buildBounce(request({
    failed: [
      { address: "a@example.net", reply: "554 rejected", expired: false },
      { address: "b@example.net", reply: "451 4.7.1 greylisted", expired: true },
      { address: "c@example.net", reply: "connect to 192.0.2.1:25: refused", expired: true },
      { address: "d@example.net", reply: "421 busy", expired: true },
    ],
  }));
  const dsn = await parseDsn(new TextEncoder().encode(body(bounce)));
  deepEqual(dsn.defects, []);
  deepEqual(dsn.blocks?.slice(1).map((block) => [block["Status"], block["Diagnostic-Code"]]), [
    ["5.0.0", "smtp; 554 rejected"],
    ["4.7.1", "smtp; 451 4.7.1 greylisted"],
    ["4.4.7", "X-Tollgate; connect to 192.0.2.1:25: refused"],
    ["4.4.7", "smtp; 421 busy"],
  ]);
  equal(dsn.text?.includes("trying for too long"), true);
});

Deno.test("buildBounce: never to the null sender", () => {
  deepEqual(buildBounce(request({ message: { id: "x", from: "", receivedAt: 0 } })), {
    kind: "none",
    reason: "null-sender",
  });
});

Deno.test("buildBounce: multi-line and long replies stay one line under 998 octets", () => {
  const text = body(buildBounce(request({
    failed: [{
      address: "a@example.net",
      reply: `550-5.7.1 first line\r\n550 5.7.1 ${"x".repeat(3000)}\u0000`,
      expired: false,
    }],
  })));
  for (const line of text.split("\r\n")) equal(line.length <= 998, true, line.slice(0, 40));
  equal(text.includes("Diagnostic-Code: smtp; 550-5.7.1 first line 550 5.7.1 xxx"), true);
  equal(text.includes("\u0000"), false);
  equal(/Status: 5\.7\.1\r\n/.test(text), true);
});

Deno.test("buildBounce: refuses an empty failure list and a boundary that could break the MIME", () => {
  throws(() => buildBounce(request({ failed: [] })), /no failed recipients/);
  throws(() => buildBounce(request({ boundary: 'a"; x' })), RangeError);
  throws(() => buildBounce(request({ boundary: "" })), RangeError);
});

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

Deno.test("readHeaderBlock: headers up to the empty line, across chunks and UTF-8 splits", async () => {
  equal(
    await readHeaderBlock(chunks("A: 1\r\nB: 2\r", "\n\r\nbody\r\n"), 1000),
    "A: 1\r\nB: 2\r\n",
  );
  const umlaut = new TextEncoder().encode("Subject: Grüße\r\n\r\nx");
  async function* split() {
    yield umlaut.subarray(0, 12);
    yield umlaut.subarray(12);
  }
  equal(await readHeaderBlock(split(), 1000), "Subject: Grüße\r\n");
  equal(await readHeaderBlock(chunks("\r\nbody only\r\n"), 1000), "");
  equal(await readHeaderBlock(chunks("A: 1\r\nB: 2\r\n"), 1000), "A: 1\r\nB: 2\r\n");
});

Deno.test("readHeaderBlock: a header block over the limit is cut at a line end and not read further", async () => {
  let pulled = 0;
  async function* endless() {
    for (;;) {
      pulled++;
      yield new TextEncoder().encode("X-Filler: 0123456789\r\n");
    }
  }
  const headers = await readHeaderBlock(endless(), 100);
  equal(headers, "X-Filler: 0123456789\r\n".repeat(4));
  equal(pulled < 10, true);
});
