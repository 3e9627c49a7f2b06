/**
 * The mail queue on Deno KV: envelopes under `["queue", id]`, bodies in the
 * spool (`kv_spool.ts`). See `kv_stores.ts` for the key layout.
 *
 * @module
 */
import { copyDelivery, initialDelivery } from "../delivery_records.ts";
import { assertPageLimit } from "../paging.ts";
import { QueueIdGenerator, type QueueIdGeneratorOptions } from "../queue_id.ts";
import type {
  DeliveryState,
  DueMessage,
  MessageQueue,
  Page,
  PageRequest,
  QueuedMessage,
  QueueStats,
  SpoolWriter,
} from "../types.ts";
import {
  DUE_PREFIX,
  dueKey,
  listAfter,
  pendingKey,
  type QueueEntry,
  queueKey,
  spoolChunkKey,
} from "./kv_keys.ts";
import type { BodyFiles } from "./body_files.ts";
import type { BodyExtents, BodyLog } from "./body_log.ts";
import { addWrite, type AtomicWrite } from "./kv_atomic_limits.ts";
import { KvCommitBatcher } from "./kv_commit_batcher.ts";
import { deleteSpool, KvSpoolWriter } from "./kv_spool.ts";
import { getEntries, getEntry, type Kv, listEntries } from "./kv_port.ts";
import { countOlderEntries, entryCounts, heldChange, readQueueStats } from "./kv_queue_stats.ts";

/**
 * Options for {@linkcode KvMessageQueue}.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvMessageQueue, type KvMessageQueueOptions } from "@tollgate/tollgate/store/kv";
 * // No `log` or `bodies`: every body goes into KV chunks.
 * const options: KvMessageQueueOptions = { randomBytes: (n) => new Uint8Array(n) };
 * const kv = await openKv(":memory:");
 * const queue = new KvMessageQueue(kv, Date.now, options);
 * console.log(options.log); // undefined
 * kv.close();
 * ```
 */
export interface KvMessageQueueOptions extends QueueIdGeneratorOptions {
  /** Where bodies larger than one 60 KiB chunk go (`body_log.ts`); without it, KV chunks. */
  log?: BodyLog;
  /** Where such a body moves when its message is first deferred (`body_files.ts`). */
  bodies?: BodyFiles;
}

/** The most keys one `kv.getMany` call takes. */
const GET_MANY_LIMIT = 10;

/** Up to this many chunks, a removed message's chunks go in the write that removes its entry. */
const CHUNKS_REMOVED_AT_ONCE = 64;

/** Body chunks read with one `kv.getMany`: a small body's parts at once, at most 240 KiB. */
const CHUNKS_PER_READ = 4;

/**
 * The durable mail queue on Deno KV.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvMessageQueue } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const queue = new KvMessageQueue(kv, () => Date.now());
 * const writer = await queue.create();
 * await writer.write(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await writer.commit({
 *   from: "", to: ["b@example.net"], clientAddress: "127.0.0.1", helo: "c", receivedAt: 0,
 * });
 * console.log((await queue.list({ limit: 10 })).items.length); // 1
 * kv.close();
 * ```
 */
export class KvMessageQueue implements MessageQueue {
  #kv: Kv;
  #now: () => number;
  #ids: QueueIdGenerator;
  #batcher: KvCommitBatcher;
  #log: BodyLog | undefined;
  #bodies: BodyFiles | undefined;
  #legacyScheduled = false;
  #counting: Promise<void> | undefined;

  /**
   * Keeps the queue in `kv`; `now` (ms since epoch) dates ids and pending
   * markers; with a `log`, bodies larger than one chunk go to it, and with
   * `bodies` as well, such a body moves to a file of its own when its
   * message is deferred (so a message that waits days for its destination
   * does not keep a log segment of other, long-gone messages on disk).
   */
  constructor(kv: Kv, now: () => number, options: KvMessageQueueOptions = {}) {
    this.#kv = kv;
    this.#now = now;
    this.#ids = new QueueIdGenerator(now, options);
    this.#batcher = new KvCommitBatcher(kv);
    this.#log = options.log;
    this.#bodies = options.bodies;
  }

  /**
   * Starts a message under a fresh id. Nothing is written yet: a body that
   * outgrows one chunk gets a pending marker (or its body file) then, and
   * the writer groups its KV writes with other writers' in one commit (one
   * fsync) when they coincide.
   */
  create(): Promise<SpoolWriter> {
    const target = {
      kv: this.#kv,
      batcher: this.#batcher,
      now: this.#now,
      ...(this.#log ? { log: this.#log } : {}),
    };
    return new Promise((resolve) => resolve(new KvSpoolWriter(this.#ids.next(), target)));
  }

  /** A page of committed messages, oldest first; the cursor is the last id. */
  async list(page: PageRequest): Promise<Page<QueuedMessage>> {
    const result = await listAfter<QueueEntry>(this.#kv, ["queue"], page);
    return { ...result, items: result.items.map((entry) => entry.value.message) };
  }

  /** One committed message's envelope, or undefined. */
  async get(id: string): Promise<QueuedMessage | undefined> {
    return (await getEntry<QueueEntry>(this.#kv, queueKey(id))).value?.message;
  }

  /**
   * The body, read as it is consumed: KV chunks a few at a time (at most
   * 240 KiB), the body log's pieces and a body file in pieces.
   * Rejects with a `RangeError` for an unknown id, and with an `Error` if the
   * message is removed while being read.
   */
  async *readBody(id: string): AsyncIterable<Uint8Array> {
    const entry = (await getEntry<QueueEntry>(this.#kv, queueKey(id))).value;
    if (entry === null) throw new RangeError(`Cannot read message body: no queued message ${id}`);
    if (entry.bodyLog) {
      if (!this.#log) throw new Error(`Cannot read message body: ${id} is in the body log`);
      yield* this.#log.read(entry.bodyLog);
      return;
    }
    if (entry.bodyFile) {
      if (!this.#bodies) throw new Error(`Cannot read message body: ${id} is in a body file`);
      yield* this.#bodies.read(id);
      return;
    }
    for (let first = 0; first < entry.chunks; first += CHUNKS_PER_READ) {
      const keys = Array.from(
        { length: Math.min(CHUNKS_PER_READ, entry.chunks - first) },
        (_, n) => spoolChunkKey(id, first + n),
      );
      for (const [n, chunk] of (await getEntries<Uint8Array>(this.#kv, keys)).entries()) {
        if (chunk.value === null) {
          throw new Error(
            `Cannot read message body: chunk ${first + n} of ${id} is gone (removed?)`,
          );
        }
        yield chunk.value;
      }
    }
  }

  /**
   * Removes a message: drops its queue entry, its due-time key and its
   * chunks in one write, grouped with other writers' writes in one commit
   * (a delivery pass removes many messages at once). A body of more chunks
   * than fit in that write gets a pending marker instead and its chunks
   * are deleted after it, as is a body file, or its pieces of the body log
   * are released (a crash in between leaves a spool, file or segment that
   * the next open cleans up). Returns whether the message existed.
   */
  async remove(id: string): Promise<boolean> {
    for (;;) {
      const entry = await getEntry<QueueEntry>(this.#kv, queueKey(id));
      if (entry.value === null) return false;
      const { chunks, delivery, bodyFile, bodyLog, counted } = entry.value;
      const chunkKeys = Array.from({ length: chunks }, (_, n) => spoolChunkKey(id, n));
      const deleteChunksAtOnce = chunks <= CHUNKS_REMOVED_AT_ONCE;
      const write: AtomicWrite = {
        checks: [entry],
        mutations: [
          { type: "delete", key: queueKey(id) },
          ...(delivery
            ? [{ type: "delete" as const, key: dueKey(delivery.nextAttemptAt, id) }]
            : []),
          ...(deleteChunksAtOnce
            ? chunkKeys.map((key) => ({ type: "delete" as const, key }))
            : [{ type: "set" as const, key: pendingKey(id), value: this.#now() }]),
          ...(counted ? entryCounts(entry.value, -1) : []),
        ],
      };
      if (!(await this.#batcher.commit(write, { lazy: true })).ok) continue;
      if (!deleteChunksAtOnce) await deleteSpool(this.#kv, id, chunkKeys);
      if (bodyFile) await this.#bodies?.remove(id);
      if (bodyLog) await this.#log?.release(bodyLog);
      return true;
    }
  }

  /** One committed message's delivery state, or undefined. */
  async delivery(id: string): Promise<DeliveryState | undefined> {
    const entry = (await getEntry<QueueEntry>(this.#kv, queueKey(id))).value;
    return entry === null ? undefined : entry.delivery ?? initialDelivery(entry.message);
  }

  /**
   * Due messages from the `["queue-due", at, id]` index, earliest first. The
   * first call also schedules entries written before delivery existed.
   */
  async due(now: number, limit: number): Promise<DueMessage[]> {
    assertPageLimit(limit);
    if (!this.#legacyScheduled) {
      await this.#scheduleLegacyEntries();
      this.#legacyScheduled = true;
    }
    const selector = { prefix: DUE_PREFIX, end: [...DUE_PREFIX, Math.floor(now) + 1] };
    const ids: string[] = [];
    for await (const index of this.#kv.list(selector, { limit })) ids.push(String(index.key[2]));
    const due: DueMessage[] = [];
    for (let start = 0; start < ids.length; start += GET_MANY_LIMIT) {
      const keys = ids.slice(start, start + GET_MANY_LIMIT).map(queueKey);
      for (const entry of await getEntries<QueueEntry>(this.#kv, keys)) {
        // Gone since the index was read (removed or updated meanwhile): not due now.
        if (entry.value?.delivery && entry.value.delivery.nextAttemptAt <= now) {
          due.push({ message: entry.value.message, delivery: entry.value.delivery });
        }
      }
    }
    return due;
  }

  /**
   * Replaces the delivery state and moves its index entry, in one atomic
   * step. A body in the log moves to a file of its own in the same step
   * (copied and made durable first); if that copy fails, it stays in the log.
   */
  async update(id: string, delivery: DeliveryState): Promise<boolean> {
    const state = copyDelivery(delivery);
    for (;;) {
      const entry = await getEntry<QueueEntry>(this.#kv, queueKey(id));
      if (entry.value === null) return false;
      const { bodyLog, ...rest } = entry.value;
      const moved = bodyLog !== undefined && await this.#copyToBodyFile(id, bodyLog);
      const value: QueueEntry = moved ? { ...rest, bodyFile: true } : entry.value;
      const before = entry.value.delivery;
      const write: AtomicWrite = {
        checks: [entry],
        mutations: [
          ...(before ? [{ type: "delete" as const, key: dueKey(before.nextAttemptAt, id) }] : []),
          { type: "set", key: queueKey(id), value: { ...value, delivery: state } },
          { type: "set", key: dueKey(state.nextAttemptAt, id), value: true },
          ...(value.counted ? heldChange(before, state) : []),
        ],
      };
      const result = await addWrite(this.#kv.atomic(), write).commit();
      if (result.ok && moved) await this.#log?.release(bodyLog);
      if (result.ok) return true;
      if (moved) await this.#bodies?.remove(id);
    }
  }

  /**
   * The counts from the `["queue-stats", …]` counters and the first queue
   * entry (`kv_queue_stats.ts`); the first call on a database written before
   * the counters existed counts its entries once.
   */
  async stats(): Promise<QueueStats> {
    for (;;) {
      const stats = await readQueueStats(this.#kv);
      if (stats) return stats;
      this.#counting ??= countOlderEntries(this.#kv, this.#batcher)
        .finally(() => this.#counting = undefined);
      await this.#counting;
    }
  }

  /** Copies a body from the log to the body file of `id`, durably; false if it could not. */
  async #copyToBodyFile(id: string, body: BodyExtents): Promise<boolean> {
    if (!this.#log || !this.#bodies) return false;
    try {
      await this.#bodies.remove(id); // left by a crash during an earlier copy
      const file = await this.#bodies.create(id);
      try {
        for await (const piece of this.#log.read(body)) await file.append(piece);
        await file.finish();
      } catch (error) {
        await file.discard();
        throw error;
      }
      return true;
    } catch {
      return false; // the disk is full or the log unreadable: the body stays where it is
    }
  }

  /** Gives entries without a delivery state (from before delivery existed) their first one. */
  async #scheduleLegacyEntries(): Promise<void> {
    for await (
      const entry of listEntries<QueueEntry>(this.#kv, { prefix: ["queue"] }, { batchSize: 100 })
    ) {
      if (entry.value.delivery) continue;
      const delivery = initialDelivery(entry.value.message);
      // A failed check means a concurrent change, which wrote a state itself.
      await this.#kv.atomic().check(entry).set(entry.key, { ...entry.value, delivery })
        .set(dueKey(delivery.nextAttemptAt, entry.value.message.id), true).commit();
    }
  }
}
