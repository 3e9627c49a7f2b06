import { deepEqual, equal } from "node:assert/strict";
import fc from "fast-check";
import { type DataLimits, type DataOutcome, DataReader } from "../smtp/data_reader.ts";
import { concatBytes, fuzzParameters, splitAt } from "./_fuzz.ts";

const CR = 13;
const LF = 10;
const encoder = new TextEncoder();

/** Pieces that end-of-data tricks are made of, weighted towards line ends and dots. */
const TOKENS = ["\r\n", "\n", "\r", ".", "..", "a", "Received: x", "\r\n.\r\n", "\n.\n", "\r.\r"];
const dataBytes = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 })
  .map((tokens) => encoder.encode(tokens.join("")));
const cutPoints = fc.array(fc.nat(), { maxLength: 12 });

/** What one reading produced: the body, how many bytes it used, and the outcome. */
interface Reading {
  body: Uint8Array;
  consumed: number;
  outcome?: DataOutcome;
}

function readInPieces(pieces: Uint8Array[], limits: DataLimits): Reading {
  const reader = new DataReader(limits);
  const chunks: Uint8Array[] = [];
  let consumed = 0;
  for (const piece of pieces) {
    const result = reader.feed(piece);
    chunks.push(...result.chunks.map((chunk) => chunk.slice()));
    consumed += result.consumed;
    if (result.outcome) return { body: concatBytes(chunks), consumed, outcome: result.outcome };
    equal(result.consumed, piece.length, "a feed without an outcome uses all its bytes");
  }
  return { body: concatBytes(chunks), consumed };
}

/**
 * RFC 5321 §4.5.2 read the slow, obvious way, without limits: lines end in
 * CRLF only, a line of one dot ends the data, a leading dot is removed, and
 * any other CR or LF is a bare newline. The data starts at a line start.
 */
function referenceRead(input: Uint8Array): Reading {
  const body: number[] = [];
  let lineStart = 0;
  for (;;) {
    let i = lineStart;
    while (i < input.length && input[i] !== CR && input[i] !== LF) i++;
    if (i === input.length || (input[i] === CR && i + 1 === input.length)) {
      return { body: new Uint8Array(body), consumed: input.length };
    }
    if (input[i] === LF) return bare(body, i + 1);
    if (input[i + 1] !== LF) return bare(body, i + 2);
    const line = input.subarray(lineStart, i);
    if (line.length === 1 && line[0] === 0x2e) {
      return {
        body: new Uint8Array(body),
        consumed: i + 2,
        outcome: { kind: "complete", size: body.length },
      };
    }
    body.push(...(line[0] === 0x2e ? line.subarray(1) : line), CR, LF);
    lineStart = i + 2;
  }
}

function bare(body: number[], consumed: number): Reading {
  return { body: new Uint8Array(body), consumed, outcome: { kind: "bare-newline" } };
}

const NO_LIMITS: DataLimits = { maxBytes: 1 << 30, maxLineLength: 1 << 30, maxHops: 1 << 30 };

Deno.test("fuzz DataReader: any split of the input reads like the RFC 5321 reference", () => {
  fc.assert(
    fc.property(dataBytes, cutPoints, (input, cuts) => {
      const actual = readInPieces(splitAt(input, cuts), NO_LIMITS);
      const expected = referenceRead(input);
      deepEqual(actual.outcome, expected.outcome);
      if (expected.outcome === undefined) return;
      equal(actual.consumed, expected.consumed);
      if (expected.outcome.kind === "complete") deepEqual(actual.body, expected.body);
    }),
    fuzzParameters(2000),
  );
});

Deno.test("fuzz DataReader: random splits of the same input give the same body and outcome, limits included", () => {
  const limits = fc.record({
    maxBytes: fc.integer({ min: 0, max: 60 }),
    maxLineLength: fc.integer({ min: 1, max: 20 }),
    maxHops: fc.integer({ min: 1, max: 3 }),
  });
  fc.assert(
    fc.property(dataBytes, cutPoints, limits, (input, cuts, dataLimits) => {
      const whole = readInPieces([input], dataLimits);
      const split = readInPieces(splitAt(input, cuts), dataLimits);
      deepEqual(split.outcome, whole.outcome);
      if (whole.outcome === undefined) return;
      equal(split.consumed, whole.consumed);
      if (whole.outcome.kind === "complete") deepEqual(split.body, whole.body);
    }),
    fuzzParameters(2000),
  );
});

/** Every way to write "newline, dot, newline" except the one true end of data. */
const SMUGGLING_TOKENS = [
  "\n.\n",
  "\n.\r\n",
  "\r\n.\n",
  "\r.\r",
  "\r.\r\n",
  "\r\n.\r",
  ".\n",
  "\n..\n",
  "\r\n..\r\n",
  "\r\n",
  "MAIL FROM:<a@b.de>\r\n",
  "x",
];

Deno.test("fuzz DataReader: no bare CR or LF variant of the end marker ever completes a message", () => {
  const smuggling = fc.array(fc.constantFrom(...SMUGGLING_TOKENS), { minLength: 1, maxLength: 20 })
    .map((tokens) => tokens.join(""))
    .filter((text) => !`\r\n${text}`.includes("\r\n.\r\n"))
    .map((text) => encoder.encode(text));
  fc.assert(
    fc.property(smuggling, cutPoints, (input, cuts) => {
      const reading = readInPieces(splitAt(input, cuts), NO_LIMITS);
      equal(reading.outcome?.kind === "complete", false);
    }),
    fuzzParameters(2000),
  );
});

Deno.test("fuzz DataReader: a complete message always ends in CRLF.CRLF and holds no bare CR or LF", () => {
  fc.assert(
    fc.property(dataBytes, cutPoints, (input, cuts) => {
      const reading = readInPieces(splitAt(input, cuts), NO_LIMITS);
      if (reading.outcome?.kind !== "complete") return;
      const used = new TextDecoder().decode(input.subarray(0, reading.consumed));
      equal(`\r\n${used}`.endsWith("\r\n.\r\n"), true);
      equal(/\r(?!\n)|(?<!\r)\n/.test(used), false);
    }),
    fuzzParameters(2000),
  );
});
