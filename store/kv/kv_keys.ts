/**
 * The Deno KV key space of Tollgate's stores, in one place (the layout is
 * described in `kv_stores.ts`), and two operations every KV store needs.
 *
 * @module
 */
import { assertPageLimit } from "../paging.ts";
import type { DeliveryState, Page, PageRequest, QueuedMessage } from "../types.ts";
import type { BodyExtents } from "./body_log.ts";
import { type Kv, type KvEntry, type KvKey, listEntries } from "./kv_port.ts";

/** What `["queue", id]` holds: the message, and how many spool chunks its body has. */
export interface QueueEntry {
  /** The committed message's record. */
  message: QueuedMessage;
  /** The number of `["spool", id, n]` chunks, `n` from 0. */
  chunks: number;
  /** The body is in the body log (`body_log.ts`), here; not in chunks. */
  bodyLog?: BodyExtents;
  /** The body is in a file of its own (`body_files.ts`; moved there when first deferred). */
  bodyFile?: true;
  /**
   * Its delivery state, indexed by `["queue-due", nextAttemptAt, id]`. Absent
   * only in entries written before delivery existed; `KvMessageQueue` adds it.
   */
  delivery?: DeliveryState;
  /**
   * The entry is counted in the `["queue-stats", …]` counters. Every entry
   * committed since they exist is; older ones are counted, and marked, once
   * (`kv_queue_stats.ts`).
   */
  counted?: true;
}

/** `["domain", name]` → `true`. */
export const DOMAIN_PREFIX = "domain";
/** `["network", cidr]` → `true`. */
export const NETWORK_PREFIX = "network";
/** `["user", address]` → the `UserRecord`. */
export const userKey = (address: string): KvKey => ["user", address];
/** `["route", pattern]` → the `Route`. */
export const routeKey = (pattern: string): KvKey => ["route", pattern];
/** `["queue", id]` → a committed message's {@linkcode QueueEntry}. */
export const queueKey = (id: string): KvKey => ["queue", id];
/** `["queue-due", at, id]` → `true`: `id` is due at `at` (ms since epoch); ordered by time. */
export const dueKey = (at: number, id: string): KvKey => ["queue-due", at, id];
/** The prefix of every due-time index entry. */
export const DUE_PREFIX: KvKey = ["queue-due"];
/**
 * `["spool", id, n]` → the `n`th part of a body, read in order: 60 KiB each
 * but the last few, which may be smaller (see `kv_spool.ts`).
 */
export const spoolChunkKey = (id: string, n: number): KvKey => ["spool", id, n];
/** `["spool", id]`: the prefix of every chunk of one body. */
export const spoolPrefix = (id: string): KvKey => ["spool", id];
/**
 * `["queue-stats", name]` → a 64-bit counter over the counted queue entries:
 * `messages`, `held` and `bytes`, summed in the atomic write that changes them.
 */
export const QUEUE_COUNTER_KEYS = {
  messages: ["queue-stats", "messages"],
  held: ["queue-stats", "held"],
  bytes: ["queue-stats", "bytes"],
} as const satisfies Record<string, KvKey>;
/** `["queue-stats", "counted"]` → `true` once every queue entry is counted. */
export const QUEUE_COUNTED_KEY: KvKey = ["queue-stats", "counted"];
/** `["spool-pending", id]` → ms when its spool was started; absent once committed. */
export const pendingKey = (id: string): KvKey => ["spool-pending", id];
/** The prefix of every pending marker. */
export const PENDING_PREFIX: KvKey = ["spool-pending"];

/**
 * One page of the entries under `prefix` whose next key part (a string) sorts
 * after `page.cursor`; the cursor of the result is that key part of its last item.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { listAfter } from "./kv_keys.ts";
 * const kv = await openKv(":memory:");
 * for (const name of ["a", "b", "c"]) await kv.set(["t", name], name);
 * const page = await listAfter<string>(kv, ["t"], { limit: 1, cursor: "a" });
 * console.log(page.items.map((e) => e.value), page.cursor); // ["b"] "b"
 * kv.close();
 * ```
 */
export async function listAfter<T>(
  kv: Kv,
  prefix: KvKey,
  page: PageRequest,
): Promise<Page<KvEntry<T>>> {
  assertPageLimit(page.limit);
  const cursor = page.cursor;
  const selector = cursor === undefined ? { prefix } : { prefix, start: [...prefix, cursor] };
  const entries: KvEntry<T>[] = [];
  // One extra to skip the cursor's own entry, one more to learn if a page follows.
  for await (const entry of listEntries<T>(kv, selector, { limit: page.limit + 2 })) {
    if (entry.key[prefix.length] !== cursor) entries.push(entry);
  }
  const items = entries.slice(0, page.limit);
  if (entries.length <= page.limit) return { items };
  return { items, cursor: String(items[items.length - 1].key[prefix.length]) };
}

/**
 * Deletes `key` if it holds a value; returns whether it did. A concurrent
 * change between the read and the delete makes it read again.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { deleteIfPresent } from "./kv_keys.ts";
 * const kv = await openKv(":memory:");
 * await kv.set(["t", "a"], true);
 * console.log(await deleteIfPresent(kv, ["t", "a"])); // true
 * console.log(await deleteIfPresent(kv, ["t", "a"])); // false
 * kv.close();
 * ```
 */
export async function deleteIfPresent(kv: Kv, key: KvKey): Promise<boolean> {
  for (;;) {
    const entry = await kv.get(key);
    if (entry.versionstamp === null) return false;
    const result = await kv.atomic().check({ key, versionstamp: entry.versionstamp }).delete(key)
      .commit();
    if (result.ok) return true;
  }
}
