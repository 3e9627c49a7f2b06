/**
 * The spool: message bodies streamed into Deno KV in chunks, since a KV value
 * holds at most 64 KiB. See `kv_stores.ts` for the key layout and durability.
 *
 * @module
 */
import { initialDelivery } from "../store/_delivery_records.ts";
import { toQueuedMessage } from "../store/_records.ts";
import type { Envelope, QueuedMessage, SpoolWriter } from "../store/types.ts";
import {
  dueKey,
  PENDING_PREFIX,
  pendingKey,
  type QueueEntry,
  queueKey,
  spoolChunkKey,
  spoolPrefix,
} from "./kv_keys.ts";

/** The size of every spool chunk but the last: 60 KiB, under KV's 64 KiB value cap. */
export const SPOOL_CHUNK_SIZE = 60 * 1024;

/** Deletes per atomic operation; KV allows 1,000 mutations. */
const DELETE_BATCH = 500;

/**
 * Streams one body into KV: buffers at most one chunk and writes each chunk
 * as it fills; {@linkcode KvSpoolWriter.commit} writes the last chunk and
 * the queue entry in one atomic operation. Made by `KvMessageQueue.create()`,
 * after it set the pending marker whose versionstamp it passes here.
 *
 * @example
 * ```ts
 * import { KvSpoolWriter } from "./kv_spool.ts";
 * const kv = await Deno.openKv(":memory:");
 * const marker = await kv.set(["spool-pending", "018c2f5a1b0000000000"], 0);
 * const writer = new KvSpoolWriter(kv, "018c2f5a1b0000000000", marker.versionstamp);
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
  #kv: Deno.Kv;
  #pendingVersionstamp: string;
  #buffer = new Uint8Array(SPOOL_CHUNK_SIZE);
  #buffered = 0;
  /** Chunks written or being written; after a failed write, one may be missing. */
  #chunks = 0;
  #size = 0;
  #state: "open" | "failed" | "committed" | "aborted" = "open";

  /** Writes the body of `id`; `pendingVersionstamp` is that of its pending marker. */
  constructor(kv: Deno.Kv, id: string, pendingVersionstamp: string) {
    this.#kv = kv;
    this.id = id;
    this.#pendingVersionstamp = pendingVersionstamp;
  }

  /** Appends bytes (copied before it resolves); writes every chunk that fills. */
  async write(chunk: Uint8Array): Promise<void> {
    this.#assertOpen("write message body");
    try {
      for (let offset = 0; offset < chunk.byteLength;) {
        const take = Math.min(SPOOL_CHUNK_SIZE - this.#buffered, chunk.byteLength - offset);
        this.#buffer.set(chunk.subarray(offset, offset + take), this.#buffered);
        this.#buffered += take;
        offset += take;
        if (this.#buffered === SPOOL_CHUNK_SIZE) {
          await this.#kv.set(spoolChunkKey(this.id, this.#chunks++), this.#buffer);
          this.#buffered = 0;
        }
      }
      this.#size += chunk.byteLength;
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
  }

  /**
   * Atomically writes the last chunk, the queue entry (with its first
   * delivery state, due at once, and its due-time index key) and drops the pending
   * marker; rejects if the marker is gone (the spool was cleaned up meanwhile).
   */
  async commit(envelope: Envelope): Promise<QueuedMessage> {
    this.#assertOpen("commit message");
    this.#state = "failed";
    const message = toQueuedMessage(envelope, { id: this.id, size: this.#size });
    const operation = this.#kv.atomic()
      .check({ key: pendingKey(this.id), versionstamp: this.#pendingVersionstamp })
      .check({ key: queueKey(this.id), versionstamp: null });
    let chunks = this.#chunks;
    if (this.#buffered > 0) {
      operation.set(spoolChunkKey(this.id, chunks++), this.#buffer.subarray(0, this.#buffered));
    }
    const delivery = initialDelivery(message);
    const entry: QueueEntry = { message, chunks, delivery };
    const result = await operation.set(queueKey(this.id), entry).delete(pendingKey(this.id))
      .set(dueKey(delivery.nextAttemptAt, this.id), true)
      .commit();
    if (!result.ok) {
      throw new Error(`Cannot commit message ${this.id}: its spool was removed while writing`);
    }
    this.#state = "committed";
    return message;
  }

  /** Deletes every chunk written and the marker; does nothing once committed or aborted. */
  async abort(): Promise<void> {
    if (this.#state === "committed" || this.#state === "aborted") return;
    this.#state = "failed";
    this.#buffered = 0;
    const keys = Array.from({ length: this.#chunks }, (_, n) => spoolChunkKey(this.id, n));
    await deleteSpool(this.#kv, this.id, keys);
    this.#state = "aborted";
  }

  #assertOpen(action: string): void {
    if (this.#state !== "open") {
      throw new TypeError(`Cannot ${action}: the spool writer is already ${this.#state}`);
    }
  }
}

/**
 * Deletes the given chunk keys of `id`'s spool and then its pending marker,
 * in batches that each check that `id` has no queue entry (so a committed
 * body is never deleted this way).
 *
 * @example
 * ```ts
 * import { deleteSpool } from "./kv_spool.ts";
 * const kv = await Deno.openKv(":memory:");
 * await kv.set(["spool", "018c2f5a1b0000000000", 0], new Uint8Array(1));
 * await deleteSpool(kv, "018c2f5a1b0000000000", [["spool", "018c2f5a1b0000000000", 0]]);
 * console.log((await kv.get(["spool", "018c2f5a1b0000000000", 0])).value); // null
 * kv.close();
 * ```
 */
export async function deleteSpool(kv: Deno.Kv, id: string, chunkKeys: Deno.KvKey[]): Promise<void> {
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
 * import { deleteAbandonedSpools } from "./kv_spool.ts";
 * const kv = await Deno.openKv(":memory:");
 * await kv.set(["spool-pending", "018c2f5a1b0000000000"], 0);
 * await kv.set(["spool", "018c2f5a1b0000000000", 0], new Uint8Array(1));
 * console.log(await deleteAbandonedSpools(kv)); // 1
 * kv.close();
 * ```
 */
export async function deleteAbandonedSpools(kv: Deno.Kv): Promise<number> {
  const ids: string[] = [];
  for await (const marker of kv.list({ prefix: PENDING_PREFIX })) ids.push(String(marker.key[1]));
  for (const id of ids) {
    if ((await kv.get(queueKey(id))).versionstamp !== null) {
      // Queued, so the marker is a stray: the body is whole and stays.
      await kv.delete(pendingKey(id));
      continue;
    }
    const chunkKeys: Deno.KvKey[] = [];
    for await (const chunk of kv.list({ prefix: spoolPrefix(id) }, { batchSize: 8 })) {
      chunkKeys.push(chunk.key);
    }
    await deleteSpool(kv, id, chunkKeys);
  }
  return ids.length;
}
