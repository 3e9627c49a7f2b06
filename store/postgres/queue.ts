/**
 * The mail queue in PostgreSQL: envelopes and delivery state in
 * `queue_messages` (due work found through the `(next_attempt_at, id)`
 * index), bodies in `queue_chunks` (see `spool.ts`).
 *
 * @module
 */
import { copyDelivery } from "../delivery_records.ts";
import { assertPageLimit } from "../paging.ts";
import { QueueIdGenerator, type QueueIdGeneratorOptions } from "../queue_id.ts";
import type {
  ClaimedMessage,
  DeliveryLeases,
  DeliveryState,
  DueMessage,
  LeaseOutcome,
  MessageQueue,
  Page,
  PageRequest,
  QueuedMessage,
  QueueStats,
  SpoolWriter,
} from "../types.ts";
import { claimDue, releaseLease, renewLease } from "./leases.ts";
import { GroupCommitter, type GroupCommitterOptions } from "./group_commit.ts";
import {
  bytesFrom,
  deliveryFromText,
  MESSAGE_COLUMNS,
  messageFromRow,
  numberFrom,
} from "./rows.ts";
import { newMailChannel } from "./notify.ts";
import { qualify } from "./schema.ts";
import { commitMessages, type PendingMessage, PostgresSpoolWriter } from "./spool.ts";
import type { SqlClient } from "./sql_port.ts";

/**
 * Options for {@linkcode PostgresMessageQueue}.
 *
 * @example
 * ```ts
 * import { CHUNK_SIZE, type PostgresQueueOptions } from "@tollgate/tollgate/store/postgres";
 * const options: PostgresQueueOptions = {
 *   chunkSize: CHUNK_SIZE / 2, chunksPerRead: 8, maxBatch: 32,
 * };
 * console.log(options.chunkSize); // 65536
 * ```
 */
export interface PostgresQueueOptions extends QueueIdGeneratorOptions, GroupCommitterOptions {
  /** The body chunk size in bytes (one row each); default `CHUNK_SIZE` (128 KiB). */
  chunkSize?: number;
  /** How many chunks `readBody` fetches per query; default 4. */
  chunksPerRead?: number;
}

/**
 * The durable queue on PostgreSQL. A message is visible (and `commit()`
 * resolves) only once its transaction committed with `synchronous_commit = on`.
 * Several nodes share it through its {@linkcode DeliveryLeases} (see `leases.ts`).
 *
 * @example
 * ```ts ignore
 * import { PostgresMessageQueue } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const queue = new PostgresMessageQueue(sql, "tollgate", () => Date.now());
 * const writer = await queue.create();
 * await writer.write(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await writer.commit({
 *   from: "", to: ["b@example.net"], clientAddress: "127.0.0.1", helo: "c", receivedAt: 0,
 * });
 * console.log((await queue.due(Date.now(), 10)).length); // 1
 * ```
 */
export class PostgresMessageQueue implements MessageQueue, DeliveryLeases {
  #sql: SqlClient;
  #s: string;
  #now: () => number;
  #ids: QueueIdGenerator;
  #committer: GroupCommitter<PendingMessage>;
  #chunkSize?: number;
  #chunksPerRead: number;

  /** The queue in `schema` (migrated already), ids and chunk times from `now`. */
  constructor(
    sql: SqlClient,
    schema: string,
    now: () => number,
    options: PostgresQueueOptions = {},
  ) {
    this.#sql = sql;
    this.#s = qualify(schema);
    this.#now = now;
    this.#ids = new QueueIdGenerator(now, options);
    const channel = newMailChannel(schema);
    this.#committer = new GroupCommitter(
      (group) => commitMessages(sql, this.#s, group, channel),
      options,
    );
    this.#chunkSize = options.chunkSize;
    this.#chunksPerRead = options.chunksPerRead ?? 4;
  }

  /** Starts a new message; nothing is visible until its writer commits. */
  create(): Promise<SpoolWriter> {
    return Promise.resolve(
      new PostgresSpoolWriter(this.#ids.next(), {
        sql: this.#sql,
        s: this.#s,
        committer: this.#committer,
        now: this.#now,
        chunkSize: this.#chunkSize,
      }),
    );
  }
  /** A page of committed messages, oldest first; the cursor is the last id. */
  async list(page: PageRequest): Promise<Page<QueuedMessage>> {
    assertPageLimit(page.limit);
    const { rows } = await this.#sql.query(
      `SELECT ${MESSAGE_COLUMNS} FROM ${this.#s}.queue_messages
       WHERE $1::text IS NULL OR id > $1::text ORDER BY id LIMIT $2::bigint`,
      [page.cursor ?? null, page.limit + 1],
    );
    const items = rows.slice(0, page.limit).map(messageFromRow);
    return rows.length > page.limit ? { items, cursor: items.at(-1)!.id } : { items };
  }
  /** One committed message's envelope, or undefined. */
  async get(id: string): Promise<QueuedMessage | undefined> {
    const { rows } = await this.#sql.query(
      `SELECT ${MESSAGE_COLUMNS} FROM ${this.#s}.queue_messages WHERE id = $1::text`,
      [id],
    );
    return rows.length > 0 ? messageFromRow(rows[0]) : undefined;
  }
  /**
   * The body, a few chunks per query (bounded memory). Rejects with a
   * `RangeError` for an unknown id, and with an `Error` if the message is
   * removed while it is being read.
   */
  async *readBody(id: string): AsyncIterable<Uint8Array> {
    const { rows } = await this.#sql.query(
      `SELECT chunks FROM ${this.#s}.queue_messages WHERE id = $1::text`,
      [id],
    );
    if (rows.length === 0) {
      throw new RangeError(`Cannot read message body: no queued message ${id}`);
    }
    const chunks = numberFrom(rows[0].chunks);
    for (let next = 0; next < chunks;) {
      const page = await this.#sql.query(
        `SELECT seq, data FROM ${this.#s}.queue_chunks
         WHERE message_id = $1::text AND seq >= $2::int ORDER BY seq LIMIT $3::int`,
        [id, next, this.#chunksPerRead],
      );
      if (page.rows.length === 0 || numberFrom(page.rows[0].seq) !== next) {
        throw new Error(`Cannot read message body: ${id} was removed while being read`);
      }
      for (const row of page.rows) {
        if (numberFrom(row.seq) !== next) {
          throw new Error(`Cannot read message body: chunk ${next} of ${id} is missing`);
        }
        next += 1;
        yield bytesFrom(row.data);
      }
    }
  }
  /** Removes a message and its body in one transaction; returns whether it existed. */
  remove(id: string): Promise<boolean> {
    return this.#sql.transaction(async (tx) => {
      const removed = await tx.query(
        `DELETE FROM ${this.#s}.queue_messages WHERE id = $1::text`,
        [id],
      );
      await tx.query(`DELETE FROM ${this.#s}.queue_chunks WHERE message_id = $1::text`, [id]);
      return removed.count > 0;
    });
  }
  /** One committed message's delivery state, or undefined. */
  async delivery(id: string): Promise<DeliveryState | undefined> {
    const { rows } = await this.#sql.query(
      `SELECT delivery::text AS delivery FROM ${this.#s}.queue_messages WHERE id = $1::text`,
      [id],
    );
    return rows.length > 0 ? deliveryFromText(rows[0].delivery) : undefined;
  }
  /**
   * Due messages, earliest `nextAttemptAt` first, ties by id, through the
   * `(next_attempt_at, id)` index. Leases are not looked at: several nodes
   * share work through `claim` (see `leases.ts`) instead.
   */
  async due(now: number, limit: number): Promise<DueMessage[]> {
    assertPageLimit(limit);
    const { rows } = await this.#sql.query(
      `SELECT ${MESSAGE_COLUMNS}, delivery::text AS delivery FROM ${this.#s}.queue_messages
       WHERE next_attempt_at <= $1::bigint ORDER BY next_attempt_at, id LIMIT $2::bigint`,
      [now, limit],
    );
    return rows.map((row) => ({
      message: messageFromRow(row),
      delivery: deliveryFromText(row.delivery),
    }));
  }
  /** Replaces a message's delivery state; false when the message is gone. */
  async update(id: string, delivery: DeliveryState): Promise<boolean> {
    const result = await this.#sql.query(
      `UPDATE ${this.#s}.queue_messages SET delivery = $2::text::jsonb, next_attempt_at = $3::bigint
       WHERE id = $1::text`,
      [id, JSON.stringify(copyDelivery(delivery)), delivery.nextAttemptAt],
    );
    return result.count > 0;
  }
  /**
   * The counts in one aggregate query (a scan of `queue_messages`, none of
   * the bodies); the oldest message through the primary key.
   */
  async stats(): Promise<QueueStats> {
    const { rows } = await this.#sql.query(
      `SELECT count(*) AS messages,
              count(*) FILTER (WHERE delivery -> 'held' IS NOT NULL) AS held,
              coalesce(sum(size), 0) AS bytes,
              (SELECT received_at FROM ${this.#s}.queue_messages ORDER BY id LIMIT 1) AS oldest
       FROM ${this.#s}.queue_messages`,
    );
    const [row] = rows;
    const stats = {
      messages: numberFrom(row.messages),
      held: numberFrom(row.held),
      bytes: numberFrom(row.bytes),
    };
    return row.oldest === null ? stats : { ...stats, oldestReceivedAt: numberFrom(row.oldest) };
  }
  /** Claims due messages nobody holds, for `owner` until `now + leaseMs` (see `leases.ts`). */
  claim(
    owner: string,
    now: number,
    options: { limit: number; leaseMs: number },
  ): Promise<ClaimedMessage[]> {
    return claimDue(this.#sql, this.#s, owner, now, options);
  }
  /** Extends `owner`'s lease on `id` to `until`; false when it is not `owner`'s. */
  renew(id: string, owner: string, until: number): Promise<boolean> {
    return renewLease(this.#sql, this.#s, id, owner, until);
  }
  /** Ends `owner`'s lease on `id` with `outcome`; false when it is not `owner`'s any more. */
  release(id: string, owner: string, outcome: LeaseOutcome): Promise<boolean> {
    return releaseLease(this.#sql, this.#s, id, owner, outcome);
  }
}
