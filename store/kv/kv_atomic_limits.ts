/**
 * One atomic write (checks, and mutations that may include counter sums),
 * Deno KV's limits for one atomic operation, and an upper-bound estimate of
 * how much of them one write uses, so writes can be grouped into one commit
 * without crossing them.
 *
 * The limits are the defaults of Deno's `ext/kv/config.rs` (2.x), which the
 * local SQLite backend enforces in `op_kv_atomic_write`: at most 100 checks
 * and 1,000 mutations; the keys of every check and mutation, plus every
 * mutation value and its key once more, at most 800 KiB ("total mutation
 * size"); the keys of mutations with a value at most 80 KiB ("total key size").
 *
 * @module
 */
import type { AtomicCheck, KvAtomic, KvKey, KvMutation } from "./kv_port.ts";

/** Adds `n` modulo 2^64 to the counter at `key` (`KvAtomic.sum`). */
export interface KvSumMutation {
  /** A counter sum. */
  type: "sum";
  /** The counter. */
  key: KvKey;
  /** What to add, 0 to 2^64 - 1 (2^64 - 1 subtracts 1). */
  n: bigint;
}

/** A mutation of an {@linkcode AtomicWrite}: set, delete, or a counter sum. */
export type AtomicMutation = KvMutation | KvSumMutation;

/** The checks and mutations of one write: they apply together or not at all. */
export interface AtomicWrite {
  /** Versionstamps that must still hold (`null`: the key must be absent). */
  checks: AtomicCheck[];
  /** What to write, delete or add to. */
  mutations: AtomicMutation[];
}

/**
 * Adds `write`'s checks and mutations to `operation`.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { addWrite } from "./kv_atomic_limits.ts";
 * const kv = await openKv(":memory:");
 * const write = { checks: [], mutations: [{ type: "sum" as const, key: ["n"], n: 2n }] };
 * await addWrite(kv.atomic(), write).commit();
 * console.log((await kv.get<{ value: bigint }>(["n"])).value?.value); // 2n
 * kv.close();
 * ```
 */
export function addWrite(operation: KvAtomic, write: AtomicWrite): KvAtomic {
  operation.check(...write.checks);
  for (const mutation of write.mutations) {
    if (mutation.type === "sum") operation.sum(mutation.key, mutation.n);
    else operation.mutate(mutation);
  }
  return operation;
}

/** How much of an atomic operation's budget a write uses (or a limit for it). */
export interface AtomicWriteSize {
  /** Checks. */
  checks: number;
  /** Mutations. */
  mutations: number;
  /** Check and mutation keys, plus each value and its key again, in bytes. */
  payloadBytes: number;
  /** Keys of mutations that carry a value, in bytes. */
  keyBytes: number;
}

/** Deno KV's limits for one atomic operation (`ext/kv/config.rs` defaults). */
export const KV_ATOMIC_LIMITS: Readonly<AtomicWriteSize> = Object.freeze({
  checks: 100,
  mutations: 1000,
  payloadBytes: 800 * 1024,
  keyBytes: 80 * 1024,
});

/**
 * An upper bound of what `write` uses of an atomic operation's budget. Keys
 * count as KV encodes them (at most 3 bytes per UTF-16 unit of a string, 9
 * per number); a `Uint8Array` value counts its bytes, any other value what
 * V8's serializer could need for it (2 bytes per string unit, 12 per number).
 *
 * @example
 * ```ts
 * import { measureAtomicWrite } from "./kv_atomic_limits.ts";
 * const size = measureAtomicWrite({
 *   checks: [{ key: ["queue", "a"], versionstamp: null }],
 *   mutations: [{ type: "set", key: ["spool", "a", 0], value: new Uint8Array(1000) }],
 * });
 * console.log(size.checks, size.mutations, size.payloadBytes > 1000); // 1 1 true
 * ```
 */
export function measureAtomicWrite(write: AtomicWrite): AtomicWriteSize {
  let payloadBytes = 0;
  let keyBytes = 0;
  for (const check of write.checks) payloadBytes += encodedKeyBytes(check.key);
  for (const mutation of write.mutations) {
    const key = encodedKeyBytes(mutation.key);
    payloadBytes += key;
    if (mutation.type === "delete") continue;
    // KV stores a Uint8Array value as its bytes, a counter as 8, anything else serialized by V8.
    const value = mutation.type === "sum"
      ? 8
      : mutation.value instanceof Uint8Array
      ? mutation.value.byteLength
      : serializedValueBytes(mutation.value, new Set());
    payloadBytes += key + value;
    keyBytes += key;
  }
  return { checks: write.checks.length, mutations: write.mutations.length, payloadBytes, keyBytes };
}

/**
 * Whether `size` stays within `limits` on every count.
 *
 * @example
 * ```ts
 * import { fitsAtomicLimits, KV_ATOMIC_LIMITS } from "./kv_atomic_limits.ts";
 * const size = { checks: 101, mutations: 1, payloadBytes: 10, keyBytes: 10 };
 * console.log(fitsAtomicLimits(size, KV_ATOMIC_LIMITS)); // false
 * ```
 */
export function fitsAtomicLimits(size: AtomicWriteSize, limits: AtomicWriteSize): boolean {
  return size.checks <= limits.checks && size.mutations <= limits.mutations &&
    size.payloadBytes <= limits.payloadBytes && size.keyBytes <= limits.keyBytes;
}

/**
 * The sum of two sizes.
 *
 * @example
 * ```ts
 * import { addAtomicSizes } from "./kv_atomic_limits.ts";
 * const one = { checks: 2, mutations: 3, payloadBytes: 100, keyBytes: 40 };
 * console.log(addAtomicSizes(one, one).checks); // 4
 * ```
 */
export function addAtomicSizes(a: AtomicWriteSize, b: AtomicWriteSize): AtomicWriteSize {
  return {
    checks: a.checks + b.checks,
    mutations: a.mutations + b.mutations,
    payloadBytes: a.payloadBytes + b.payloadBytes,
    keyBytes: a.keyBytes + b.keyBytes,
  };
}

function encodedKeyBytes(key: KvKey): number {
  let bytes = 0;
  for (const part of key) {
    if (typeof part === "string") bytes += 3 * part.length + 2;
    else if (part instanceof Uint8Array) bytes += 2 * part.byteLength + 2;
    else if (typeof part === "bigint") bytes += part.toString(16).length + 10;
    else bytes += 9;
  }
  return bytes;
}

function serializedValueBytes(value: unknown, seen: Set<object>): number {
  if (typeof value === "string") return 2 * value.length + 8;
  if (typeof value === "bigint") return 8 * Math.ceil(value.toString(16).length / 16) + 10;
  if (typeof value !== "object" || value === null) return 12;
  // V8 writes a view's whole buffer.
  if (ArrayBuffer.isView(value)) return value.buffer.byteLength + 24;
  if (value instanceof ArrayBuffer) return value.byteLength + 24;
  if (seen.has(value)) return 8;
  seen.add(value);
  let bytes = 16;
  if (value instanceof Map || value instanceof Set) {
    for (const entry of value) bytes += serializedValueBytes(entry, seen);
  } else {
    for (const [key, field] of Object.entries(value)) {
      bytes += 2 * key.length + 8 + serializedValueBytes(field, seen);
    }
  }
  return bytes;
}
