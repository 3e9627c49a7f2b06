import { equal, match, notEqual, throws } from "node:assert/strict";
import { QueueIdGenerator } from "../store/queue_id.ts";

const zeros = (n: number) => new Uint8Array(n);

Deno.test("queue id: 12 hex digits of time, then 8 of sequence", () => {
  const ids = new QueueIdGenerator(() => 1_700_000_000_123, { randomBytes: zeros });
  const id = ids.next();
  match(id, /^[0-9a-f]{20}$/);
  equal(parseInt(id.slice(0, 12), 16), 1_700_000_000_123);
  equal(id.slice(12), "00000000");
});

Deno.test("queue id: the sequence counts up within one millisecond", () => {
  const ids = new QueueIdGenerator(() => 5, { randomBytes: zeros });
  equal(ids.next(), "00000000000500000000");
  equal(ids.next(), "00000000000500000001");
  equal(ids.next(), "00000000000500000002");
});

Deno.test("queue id: a new millisecond starts a new random sequence below 2^31", () => {
  let now = 5;
  const ids = new QueueIdGenerator(() => now, {
    randomBytes: (n) => new Uint8Array(n).fill(0xff),
  });
  equal(ids.next(), "0000000000057fffffff");
  now = 6;
  equal(ids.next(), "0000000000067fffffff");
});

Deno.test("queue id: a clock stepping back never yields a smaller id", () => {
  let now = 1000;
  const ids = new QueueIdGenerator(() => now, { randomBytes: zeros });
  const before = ids.next();
  now = 10;
  const after = ids.next();
  equal(after > before, true);
  equal(after.slice(0, 12), before.slice(0, 12));
});

Deno.test("queue id: rejects a clock outside 12 hex digits", () => {
  throws(() => new QueueIdGenerator(() => -1).next(), RangeError);
  throws(() => new QueueIdGenerator(() => Number.NaN).next(), RangeError);
  throws(() => new QueueIdGenerator(() => 16 ** 12).next(), RangeError);
});

Deno.test("queue id: the default random source makes distinct sequences", () => {
  const a = new QueueIdGenerator(() => 1).next();
  const b = new QueueIdGenerator(() => 1).next();
  notEqual(a, b);
});
