/**
 * Queue statistics on Deno KV without reading the queue: 64-bit counters
 * under `["queue-stats", …]` (messages, held, bytes) that every write which
 * changes them sums in its own atomic write. A sum is applied inside KV's
 * transaction, not read and written back, so concurrent writers (other
 * sessions, grouped commits, a second process on the file) never lose one.
 * The oldest message is the first queue entry (ids sort by time).
 *
 * The counters cover the entries marked `counted`. Entries written before
 * the counters existed have no mark: the first `stats()` counts each of
 * them once, in a write that checks the entry is unchanged (a concurrent
 * update or removal makes it read the entry again), and then sets
 * `["queue-stats", "counted"]`. Until then, no statistics are read.
 *
 * @module
 */
import type { QueueStats } from "../types.ts";
import type { AtomicWrite, KvSumMutation } from "./kv_atomic_limits.ts";
import type { KvCommitBatcher } from "./kv_commit_batcher.ts";
import { QUEUE_COUNTED_KEY, QUEUE_COUNTER_KEYS, type QueueEntry, queueKey } from "./kv_keys.ts";
import { getEntry, type Kv, type KvEntry, type KvKey, listEntries } from "./kv_port.ts";

/** Legacy entries counted at once (their writes share the batcher's commits). */
const COUNT_AT_ONCE = 100;

/** A sum of `delta` (negative: subtracted, modulo 2^64) to `key`. */
function sum(key: KvKey, delta: number): KvSumMutation {
  return { type: "sum", key, n: BigInt.asUintN(64, BigInt(delta)) };
}

/**
 * The counter sums that add (`sign` 1) or take away (-1) one queue entry:
 * one message, its size, and one held message if it is held.
 *
 * @example
 * ```ts
 * import { entryCounts } from "./kv_queue_stats.ts";
 * const message = {
 *   id: "018c2f5a1b0000000000", from: "", to: ["b@example.net"], clientAddress: "::1",
 *   helo: "h", receivedAt: 0, size: 10,
 * };
 * console.log(entryCounts({ message, chunks: 1 }, -1).length); // 2: messages, bytes
 * ```
 */
export function entryCounts(entry: QueueEntry, sign: 1 | -1): KvSumMutation[] {
  const sums = [
    sum(QUEUE_COUNTER_KEYS.messages, sign),
    sum(QUEUE_COUNTER_KEYS.bytes, sign * entry.message.size),
  ];
  if (entry.delivery?.held) sums.push(sum(QUEUE_COUNTER_KEYS.held, sign));
  return sums;
}

/**
 * The counter sum for a counted entry whose delivery state goes from
 * `before` to `after`: the held count changes when one is held and the other not.
 *
 * @example
 * ```ts
 * import { heldChange } from "./kv_queue_stats.ts";
 * const held = { nextAttemptAt: 1, recipients: [], held: { dueAt: 0 } };
 * console.log(heldChange(held, { nextAttemptAt: 0, recipients: [] })[0].n); // 18446744073709551615n
 * ```
 */
export function heldChange(
  before: QueueEntry["delivery"],
  after: QueueEntry["delivery"],
): KvSumMutation[] {
  const change = Number(after?.held !== undefined) - Number(before?.held !== undefined);
  return change === 0 ? [] : [sum(QUEUE_COUNTER_KEYS.held, change)];
}

/**
 * The statistics, or undefined while older entries are not counted yet
 * (then {@linkcode countOlderEntries} first).
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { readQueueStats } from "./kv_queue_stats.ts";
 * const kv = await openKv(":memory:");
 * console.log(await readQueueStats(kv)); // undefined: nothing counted yet
 * kv.close();
 * ```
 */
export async function readQueueStats(kv: Kv): Promise<QueueStats | undefined> {
  const { messages, held, bytes } = QUEUE_COUNTER_KEYS;
  const [counted, ...counters] = await kv.getMany([QUEUE_COUNTED_KEY, messages, held, bytes]);
  if (counted.value === null) return undefined;
  const [messageCount, heldCount, byteCount] = counters.map((counter) =>
    counter.value === null ? 0 : Number((counter.value as { value: bigint }).value)
  );
  const stats = { messages: messageCount, held: heldCount, bytes: byteCount };
  for await (const first of listEntries<QueueEntry>(kv, { prefix: ["queue"] }, { limit: 1 })) {
    return { ...stats, oldestReceivedAt: first.value.message.receivedAt };
  }
  return stats;
}

/**
 * Counts every queue entry not counted yet (written before the counters
 * existed), each once, then marks the counters complete. Safe to run while
 * the queue is in use, and in two processes at once.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvCommitBatcher } from "./kv_commit_batcher.ts";
 * import { countOlderEntries, readQueueStats } from "./kv_queue_stats.ts";
 * const kv = await openKv(":memory:");
 * await countOlderEntries(kv, new KvCommitBatcher(kv));
 * console.log(await readQueueStats(kv)); // { messages: 0, held: 0, bytes: 0 }
 * kv.close();
 * ```
 */
export async function countOlderEntries(kv: Kv, batcher: KvCommitBatcher): Promise<void> {
  let counting: Promise<void>[] = [];
  for await (
    const entry of listEntries<QueueEntry>(kv, { prefix: ["queue"] }, { batchSize: 100 })
  ) {
    if (entry.value.counted) continue;
    counting.push(countEntry(kv, batcher, entry));
    if (counting.length === COUNT_AT_ONCE) {
      await Promise.all(counting);
      counting = [];
    }
  }
  await Promise.all(counting);
  await kv.set(QUEUE_COUNTED_KEY, true);
}

/** Marks `entry` counted and adds it to the counters, unless it changed: then reads it again. */
async function countEntry(
  kv: Kv,
  batcher: KvCommitBatcher,
  entry: KvEntry<QueueEntry>,
): Promise<void> {
  for (let current = entry;;) {
    const write: AtomicWrite = {
      checks: [{ key: current.key, versionstamp: current.versionstamp }],
      mutations: [
        { type: "set", key: current.key, value: { ...current.value, counted: true } },
        ...entryCounts(current.value, 1),
      ],
    };
    if ((await batcher.commit(write)).ok) return;
    const again = await getEntry<QueueEntry>(kv, queueKey(current.value.message.id));
    if (again.value === null || again.value.counted) return;
    current = again;
  }
}
