/**
 * The spool: message bodies streamed into Deno KV in chunks, since a KV value
 * holds at most 64 KiB. See `kv_stores.ts` for the key layout and durability.
 *
 * @module
 */
import { initialDelivery } from "../delivery_records.ts";
import { toQueuedMessage } from "../records.ts";
import type { Envelope, QueuedMessage, SpoolWriter } from "../types.ts";
import type { AtomicWrite } from "./kv_atomic_limits.ts";
import type { BodyLog, BodyLogWriter } from "./body_log.ts";
import type { KvCommitBatcher } from "./kv_commit_batcher.ts";
import {
  dueKey,
  PENDING_PREFIX,
  pendingKey,
  type QueueEntry,
  queueKey,
  spoolChunkKey,
  spoolPrefix,
} from "./kv_keys.ts";
import { type Kv, type KvKey, listEntries } from "./kv_port.ts";
import { entryCounts } from "./kv_queue_stats.ts";

/** The size of every spool chunk but the last ones: 60 KiB, under KV's 64 KiB value cap. */
export const SPOOL_CHUNK_SIZE = 60 * 1024;

/**
 * A small body (or a body's last bytes, if small) is committed in parts of at
 * most this many bytes. Deno KV's SQLite keeps a row inside its B-tree page
 * only up to ~1,000 bytes; past that the rest spills to an overflow page of
 * its own, which the commit (and later the WAL checkpoint) writes whole: a
 * 1.2 KB body cost a 4 KiB page to itself. In parts that fit, concurrent
 * messages share pages (measured in `docs/performance.md`, Part E).
 */
export const SMALL_PART_SIZE = 900;

/** Up to this size, the last bytes are split into parts (3 at most); beyond it, one chunk is cheaper. */
const SPLIT_TAIL_LIMIT = 3 * SMALL_PART_SIZE;

/** The first buffer of a writer: a typical message fits. */
const MIN_BUFFER_SIZE = 8 * 1024;

/** Past this size, a body in the log is appended in pieces of {@linkcode LARGE_BODY_PIECE_SIZE}. */
const LARGE_BODY = 1024 * 1024;

/**
 * The pieces of a large body in the log: a body has few pieces to name in
 * its queue entry (a KV value holds 64 KiB: ~5,000 pieces, ~1.2 GiB), at the
 * price of a 256 KiB buffer while it is written. Smaller bodies go in
 * chunk-sized pieces: with 500 clients sending 100 KiB at once, 256 KiB
 * pieces for every body raised the peak memory by 146-150 MiB, chunk-sized
 * ones by 109-115 MiB.
 */
const LARGE_BODY_PIECE_SIZE = 256 * 1024;

/** Deletes per atomic operation; KV allows 1,000 mutations. */
const DELETE_BATCH = 500;

/** Where a {@linkcode KvSpoolWriter} writes. */
export interface KvSpoolTarget {
  /** The database, for clean-up. */
  kv: Kv;
  /** Every chunk and the commit go through it, grouped with other writers' writes. */
  batcher: KvCommitBatcher;
  /** Dates the pending marker (ms since epoch). */
  now: () => number;
  /** Where bodies larger than one chunk go; without it, they go to KV chunks too. */
  log?: BodyLog;
}

/**
 * Streams one body into KV: buffers at most one chunk and writes a full
 * chunk once the body goes on past it; {@linkcode KvSpoolWriter.commit}
 * writes the last chunk and the queue entry in one atomic write. The pending
 * marker is written with the first chunk written before the commit, so a
 * body that fits in one chunk (and a crash while it is written) leaves
 * nothing in KV before its commit. With a body log in the target, a body
 * that outgrows one chunk is appended to the log instead (`body_log.ts`),
 * made durable before the commit. Made by `KvMessageQueue.create()`.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvCommitBatcher } from "./kv_commit_batcher.ts";
 * import { KvSpoolWriter } from "./kv_spool.ts";
 * const kv = await openKv(":memory:");
 * const batcher = new KvCommitBatcher(kv);
 * const writer = new KvSpoolWriter("018c2f5a1b0000000000", { kv, batcher, now: Date.now });
 * await writer.write(new Uint8Array(70_000));
 * const message = await writer.commit({
 *   from: "", to: ["b@example.net"], clientAddress: "192.0.2.1", helo: "c", receivedAt: 0,
 * });
 * console.log(message.size); // 70000
 * kv.close();
 * ```
 */
export class KvSpoolWriter implements SpoolWriter {
  /** The id the message will have in the queue. */
  readonly id: string;
  #target: KvSpoolTarget;
  /** The versionstamp of the pending marker this writer set, once it set one. */
  #markerVersionstamp: string | undefined;
  /** Grows up to `#capacity` as the body does: most bodies are a few KiB. */
  #buffer = new Uint8Array(0);
  #buffered = 0;
  /** How much is buffered before a write: one chunk, or a larger piece once a body in the log is large. */
  #capacity = SPOOL_CHUNK_SIZE;
  /** Chunks written or being written; after a failed write, one may be missing. */
  #chunks = 0;
  /** The body's place in the log, once the body outgrew one chunk and the target has a log. */
  #logBody: BodyLogWriter | undefined;
  #size = 0;
  #state: "open" | "failed" | "committed" | "aborted" = "open";

  /** Writes the body of `id` (a fresh queue id) to `target`. */
  constructor(id: string, target: KvSpoolTarget) {
    this.id = id;
    this.#target = target;
  }

  /** Appends bytes (copied before it resolves); writes each full chunk once more follows. */
  async write(chunk: Uint8Array): Promise<void> {
    this.#assertOpen("write message body");
    try {
      for (let offset = 0; offset < chunk.byteLength;) {
        // A full buffer is written once more bytes come: the last one goes with the commit.
        if (this.#buffered === this.#capacity) await this.#makeRoom();
        const take = Math.min(this.#capacity - this.#buffered, chunk.byteLength - offset);
        this.#reserve(this.#buffered + take);
        this.#buffer.set(chunk.subarray(offset, offset + take), this.#buffered);
        this.#buffered += take;
        offset += take;
      }
      this.#size += chunk.byteLength;
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
  }

  /**
   * Atomically writes the last chunk (or its parts), the queue entry (with its first
   * delivery state, due at once, and its due-time index key), adds it to the
   * queue's counters (`kv_queue_stats.ts`) and drops the
   * pending marker; rejects if the marker is gone (the spool was cleaned up
   * meanwhile) or, without one, if another writer holds the id.
   */
  async commit(envelope: Envelope): Promise<QueuedMessage> {
    this.#assertOpen("commit message");
    this.#state = "failed";
    const message = toQueuedMessage(envelope, { id: this.id, size: this.#size });
    if (this.#logBody) {
      // Durable before the queue entry that points at it.
      await this.#logBody.append(this.#buffer.subarray(0, this.#buffered));
      this.#buffered = 0;
      await this.#logBody.durable();
    }
    const write = this.#claim();
    let chunks = this.#chunks;
    for (const value of tailParts(this.#buffer.subarray(0, this.#buffered))) {
      write.mutations.push({ type: "set", key: spoolChunkKey(this.id, chunks++), value });
    }
    const delivery = initialDelivery(message);
    const entry: QueueEntry = {
      message,
      chunks,
      delivery,
      ...(this.#logBody ? { bodyLog: this.#logBody.extents() } : {}),
      counted: true,
    };
    write.mutations.push(
      { type: "set", key: queueKey(this.id), value: entry },
      { type: "set", key: dueKey(delivery.nextAttemptAt, this.id), value: true },
      ...entryCounts(entry, 1),
    );
    if (this.#markerVersionstamp !== undefined) {
      write.mutations.push({ type: "delete", key: pendingKey(this.id) });
    }
    if (!(await this.#target.batcher.commit(write)).ok) {
      const why = this.#markerVersionstamp === undefined
        ? "its id is taken"
        : "its spool was removed while writing";
      throw new Error(`Cannot commit message ${this.id}: ${why}`);
    }
    this.#state = "committed";
    return message;
  }

  /** Deletes every chunk written and the marker; does nothing once committed or aborted. */
  async abort(): Promise<void> {
    if (this.#state === "committed" || this.#state === "aborted") return;
    this.#state = "failed";
    this.#buffered = 0;
    await this.#logBody?.discard();
    // Without a marker of its own, this writer wrote nothing to KV (the first chunk carries it).
    if (this.#markerVersionstamp !== undefined) {
      const keys = Array.from({ length: this.#chunks }, (_, n) => spoolChunkKey(this.id, n));
      await deleteSpool(this.#target.kv, this.id, keys);
    }
    this.#state = "aborted";
  }

  /** Grows the buffer to hold at least `bytes` (at most `#capacity`), keeping its contents. */
  #reserve(bytes: number): void {
    if (bytes <= this.#buffer.byteLength) return;
    const grown = new Uint8Array(
      Math.min(this.#capacity, Math.max(bytes, 2 * this.#buffer.byteLength, MIN_BUFFER_SIZE)),
    );
    grown.set(this.#buffer.subarray(0, this.#buffered));
    this.#buffer = grown;
  }

  /**
   * Makes room in the full buffer: appends it to the body log when there is
   * one (in larger pieces once the body is large), else writes it as the
   * next KV chunk, the first with the pending marker.
   */
  async #makeRoom(): Promise<void> {
    const { log } = this.#target;
    if (log) {
      this.#logBody ??= log.begin();
      await this.#logBody.append(this.#buffer.subarray(0, this.#buffered));
      this.#buffered = 0;
      if (this.#size >= LARGE_BODY) this.#capacity = LARGE_BODY_PIECE_SIZE;
      return;
    }
    const first = this.#markerVersionstamp === undefined;
    const write: AtomicWrite = first ? this.#claim() : { checks: [], mutations: [] };
    if (first) {
      write.mutations.push({ type: "set", key: pendingKey(this.id), value: this.#target.now() });
    }
    write.mutations.push({
      type: "set",
      key: spoolChunkKey(this.id, this.#chunks++),
      value: this.#buffer,
    });
    const result = await this.#target.batcher.commit(write);
    if (!result.ok) throw new Error(`Cannot write message ${this.id}: its id is taken`);
    if (first) this.#markerVersionstamp = result.versionstamp;
    this.#buffered = 0;
  }

  /**
   * The checks that this writer still owns the id: no queue entry, and its
   * own pending marker (or none, before the first chunk).
   */
  #claim(): AtomicWrite {
    return {
      checks: [
        { key: queueKey(this.id), versionstamp: null },
        { key: pendingKey(this.id), versionstamp: this.#markerVersionstamp ?? null },
      ],
      mutations: [],
    };
  }

  #assertOpen(action: string): void {
    if (this.#state !== "open") {
      throw new TypeError(`Cannot ${action}: the spool writer is already ${this.#state}`);
    }
  }
}

/**
 * The chunks the last bytes of a body are committed as: none for no bytes,
 * parts of at most {@linkcode SMALL_PART_SIZE} for a few KiB, else one chunk.
 * Parts are views of `tail`, as even in size as they can be (1,200 bytes: two
 * of 600).
 */
function tailParts(tail: Uint8Array): Uint8Array[] {
  if (tail.byteLength === 0) return [];
  if (tail.byteLength > SPLIT_TAIL_LIMIT) return [tail];
  const count = Math.ceil(tail.byteLength / SMALL_PART_SIZE);
  const size = Math.ceil(tail.byteLength / count);
  return Array.from({ length: count }, (_, n) => tail.subarray(n * size, (n + 1) * size));
}

/**
 * Deletes the given chunk keys of `id`'s spool and then its pending marker,
 * in batches that each check that `id` has no queue entry (so a committed
 * body is never deleted this way).
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { deleteSpool } from "./kv_spool.ts";
 * const kv = await openKv(":memory:");
 * await kv.set(["spool", "018c2f5a1b0000000000", 0], new Uint8Array(1));
 * await deleteSpool(kv, "018c2f5a1b0000000000", [["spool", "018c2f5a1b0000000000", 0]]);
 * console.log((await kv.get(["spool", "018c2f5a1b0000000000", 0])).value); // null
 * kv.close();
 * ```
 */
export async function deleteSpool(kv: Kv, id: string, chunkKeys: KvKey[]): Promise<void> {
  const keys = [...chunkKeys, pendingKey(id)];
  for (let start = 0; start < keys.length; start += DELETE_BATCH) {
    const operation = kv.atomic().check({ key: queueKey(id), versionstamp: null });
    for (const key of keys.slice(start, start + DELETE_BATCH)) operation.delete(key);
    if (!(await operation.commit()).ok) {
      throw new Error(`Cannot delete spool of ${id}: the message is queued`);
    }
  }
}

/**
 * Deletes the spools left by a crash while a body was being written (a
 * pending marker without a queue entry); returns how many there were. A
 * marker next to a queue entry is dropped and the queued body kept.
 * Call it before anything writes: a spool being written looks the same.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { deleteAbandonedSpools } from "./kv_spool.ts";
 * const kv = await openKv(":memory:");
 * await kv.set(["spool-pending", "018c2f5a1b0000000000"], 0);
 * await kv.set(["spool", "018c2f5a1b0000000000", 0], new Uint8Array(1));
 * console.log(await deleteAbandonedSpools(kv)); // 1
 * kv.close();
 * ```
 */
export async function deleteAbandonedSpools(kv: Kv): Promise<number> {
  const ids: string[] = [];
  for await (const marker of kv.list({ prefix: PENDING_PREFIX })) ids.push(String(marker.key[1]));
  for (const id of ids) {
    if ((await kv.get(queueKey(id))).versionstamp !== null) {
      // Queued, so the marker is a stray: the body is whole and stays.
      await kv.delete(pendingKey(id));
      continue;
    }
    const chunkKeys: KvKey[] = [];
    for await (
      const chunk of listEntries<Uint8Array>(kv, { prefix: spoolPrefix(id) }, { batchSize: 8 })
    ) {
      chunkKeys.push(chunk.key);
    }
    await deleteSpool(kv, id, chunkKeys);
  }
  return ids.length;
}
