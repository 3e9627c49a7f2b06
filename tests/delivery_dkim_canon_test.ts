/**
 * DKIM `relaxed` canonicalisation (RFC 6376 §3.4.2, §3.4.4) on its own: the RFC's worked
 * example, the empty body, and, over generated messages, agreement with mailauth's
 * canonicaliser (npm `mailauth`, an implementation nobody here wrote) whatever the chunking.
 * The signatures as a whole are checked by dkimpy and mailauth in integration_dkim_test.ts.
 */
import { deepEqual, equal } from "node:assert/strict";
import { Buffer } from "node:buffer";
import fc from "fast-check";
import { RelaxedHash } from "mailauth/lib/dkim/body/relaxed.js";
import { formatRelaxedLine } from "mailauth/lib/tools.js";
import { parseHeaderFields, RelaxedBodyHash, relaxedHeader } from "../delivery/dkim_canon.ts";
import { fuzzParameters, splitAt } from "./_fuzz.ts";

const encoder = new TextEncoder();

function ourBodyHash(chunks: Uint8Array[]): string {
  const hash = new RelaxedBodyHash();
  for (const chunk of chunks) hash.update(chunk);
  return Buffer.from(hash.digest()).toString("base64");
}

function mailauthBodyHash(body: Uint8Array): string {
  const hash = new RelaxedHash("sha256");
  hash.update(Buffer.from(body));
  return hash.digest("base64");
}

const sha256Base64 = async (text: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", encoder.encode(text))).toString("base64");

Deno.test("dkim canon: RFC 6376 §3.4.5's example, header fields", () => {
  const fields = parseHeaderFields("A: X\r\nB : Y\t\r\n\tZ  \r\n");
  deepEqual(fields.map((field) => field.name), ["A", "B"]);
  deepEqual(fields.map((field) => relaxedHeader(field.raw)), ["a:X\r\n", "b:Y Z\r\n"]);
});

Deno.test("dkim canon: RFC 6376 §3.4.5's example, body", async () => {
  const body = encoder.encode(" C \r\nD \t E\r\n\r\n\r\n");
  equal(ourBodyHash([body]), await sha256Base64(" C\r\nD E\r\n"));
});

Deno.test("dkim canon: an empty body (or only empty lines) hashes as nothing (§3.4.4: no CRLF is added to it)", async () => {
  const empty = await sha256Base64("");
  equal(empty, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  equal(ourBodyHash([]), empty);
  equal(ourBodyHash([encoder.encode("\r\n\r\n \t\r\n")]), empty);
});

Deno.test("dkim canon: a last line without CRLF gets one", async () => {
  equal(ourBodyHash([encoder.encode("last line  ")]), await sha256Base64("last line\r\n"));
});

/** A CRLF body built from lines rich in what canonicalisation changes. */
const body = fc.array(
  fc.string({ unit: fc.constantFrom("a", "Z", ".", " ", "\t", "é"), maxLength: 12 }),
  { maxLength: 12 },
).chain((lines) =>
  fc.boolean().map((lastHasCrlf) => {
    const text = lines.join("\r\n") + (lastHasCrlf && lines.length > 0 ? "\r\n" : "");
    return encoder.encode(text);
  })
);

Deno.test("fuzz dkim canon: the body hash is mailauth's, in any chunking (CR and LF split too)", () => {
  fc.assert(
    fc.property(body, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
      equal(ourBodyHash(splitAt(bytes, cuts)), mailauthBodyHash(bytes));
    }),
    fuzzParameters(1000),
  );
});

/** A header field: a name, white space around the colon, a value folded at random places. */
const field = fc.tuple(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/),
  fc.constantFrom("", " ", "\t", "  "),
  fc.array(fc.string({ unit: fc.constantFrom("x", "Y", "1", " ", "\t"), maxLength: 8 }), {
    minLength: 1,
    maxLength: 4,
  }),
).map(([name, space, parts]) => `${name}${space}:${parts.join("\r\n\t")}`);

Deno.test("fuzz dkim canon: relaxed header fields are mailauth's", () => {
  fc.assert(
    fc.property(field, (raw) => {
      const [parsed] = parseHeaderFields(`${raw}\r\n`);
      equal(parsed.raw, raw);
      equal(relaxedHeader(parsed.raw), Buffer.from(formatRelaxedLine(raw, "\r\n")).toString());
    }),
    fuzzParameters(1000),
  );
});
