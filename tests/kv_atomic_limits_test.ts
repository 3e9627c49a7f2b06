import { deepEqual, equal, ok } from "node:assert/strict";
import { serialize } from "node:v8";
import {
  addAtomicSizes,
  fitsAtomicLimits,
  KV_ATOMIC_LIMITS,
  measureAtomicWrite,
} from "../store/kv/kv_atomic_limits.ts";

/** The estimate for `value` alone: one set of key ["k"] (5 bytes, counted twice) holds it. */
function estimateValue(value: unknown): number {
  return measureAtomicWrite({ checks: [], mutations: [{ type: "set", key: ["k"], value }] })
    .payloadBytes - 10;
}

Deno.test("atomic limits: a write counts its checks, mutations, keys and values", () => {
  const size = measureAtomicWrite({
    checks: [{ key: ["queue", "id"], versionstamp: null }],
    mutations: [
      { type: "set", key: ["spool", "id", 0], value: new Uint8Array(1000) },
      { type: "delete", key: ["spool-pending", "id"] },
    ],
  });
  // A string part counts 3 bytes a character plus 2, a number 9; a byte value its length.
  const queueKey = 17 + 8;
  const chunkKey = 17 + 8 + 9;
  const pendingKey = 41 + 8;
  deepEqual(size, {
    checks: 1,
    mutations: 2,
    payloadBytes: queueKey + 2 * chunkKey + 1000 + pendingKey,
    keyBytes: chunkKey,
  });
});

Deno.test("atomic limits: a value's estimate is at least its V8 serialization", () => {
  const samples: unknown[] = [
    true,
    0,
    1.5,
    -(2 ** 40),
    1n,
    12345678901234567890n,
    -(2n ** 100n),
    "",
    "ascii text",
    "ünïcödé ✉ 𝄞",
    [1, "two", [3.25, null], { four: 4 }],
    new Map<unknown, unknown>([["a", 1], [2, [true]]]),
    new Set(["x", 1.5]),
    new Date(0),
    new Uint16Array(300),
    { bytes: new Uint8Array(300).subarray(7, 100), buffer: new ArrayBuffer(40) },
    {
      message: {
        id: "018c2f5a1b0000000000",
        from: "",
        to: ["a@example.net", "b@example.net"],
        clientAddress: "192.0.2.1",
        helo: "client.example.net",
        receivedAt: 1_700_000_000_123,
        size: 1234,
      },
      chunks: 1,
      delivery: { nextAttemptAt: 1_700_000_000_123, recipients: [{ address: "a", attempts: 0 }] },
    },
  ];
  for (const value of samples) {
    const estimate = estimateValue(value);
    ok(estimate >= serialize(value).byteLength, `${String(value)}: estimated ${estimate}`);
  }
});

Deno.test("atomic limits: a Uint8Array value counts its own bytes, not its buffer's", () => {
  equal(estimateValue(new Uint8Array(60 * 1024).subarray(0, 100)), 100);
});

Deno.test("atomic limits: a value that refers to itself is measured once", () => {
  const looped: { self?: unknown; text: string } = { text: "x".repeat(100) };
  looped.self = looped;
  const estimate = estimateValue(looped);
  ok(estimate >= serialize(looped).byteLength && estimate < 300, `estimated ${estimate}`);
});

Deno.test("atomic limits: sizes add up and are held against every limit", () => {
  const one = { checks: 60, mutations: 10, payloadBytes: 1000, keyBytes: 100 };
  const two = addAtomicSizes(one, one);
  deepEqual(two, { checks: 120, mutations: 20, payloadBytes: 2000, keyBytes: 200 });
  equal(fitsAtomicLimits(one, KV_ATOMIC_LIMITS), true);
  equal(fitsAtomicLimits(two, KV_ATOMIC_LIMITS), false);
  equal(fitsAtomicLimits({ ...one, mutations: 1001 }, KV_ATOMIC_LIMITS), false);
  equal(fitsAtomicLimits({ ...one, payloadBytes: 800 * 1024 + 1 }, KV_ATOMIC_LIMITS), false);
  equal(fitsAtomicLimits({ ...one, keyBytes: 80 * 1024 + 1 }, KV_ATOMIC_LIMITS), false);
  equal(fitsAtomicLimits({ ...one, keyBytes: 80 * 1024 }, KV_ATOMIC_LIMITS), true);
});
