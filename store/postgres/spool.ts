/**
 * Writing a message into the queue: the body in chunks (`queue_chunks`, one
 * `bytea` row each), then the envelope (`queue_messages`) through the group
 * committer.
 *
 * A writer holds at most one chunk in memory and no connection while the
 * client is sending: each full chunk is inserted on a pooled connection in
 * its own transaction with `synchronous_commit = off`. Those rows are made
 * durable by the message's own commit, which runs with `synchronous_commit =
 * on` and so flushes the WAL up to its commit record, past every chunk
 * written before it. Chunks without a message row are invisible to readers
 * and removed by `abort()` or, after a crash, by {@linkcode sweepAbandonedChunks}.
 *
 * @module
 */
import { initialDelivery } from "../delivery_records.ts";
import { copyQueuedMessage, toQueuedMessage } from "../records.ts";
import type { Envelope, QueuedMessage, SpoolWriter } from "../types.ts";
import type { GroupCommitter } from "./group_commit.ts";
import type { SqlClient, SqlParam, SqlSession } from "./sql_port.ts";

/**
 * The default body chunk: one `bytea` row, and the most a writer buffers.
 *
 * @example
 * ```ts
 * import { CHUNK_SIZE } from "@tollgate/tollgate/store/postgres";
 * const rowsFor = (bodyBytes: number) => Math.max(1, Math.ceil(bodyBytes / CHUNK_SIZE));
 * console.log(CHUNK_SIZE, rowsFor(1_000_000)); // 131072 8
 * ```
 */
export const CHUNK_SIZE = 128 * 1024;

/**
 * One message ready to commit: its last (partial) chunk and its row.
 *
 * @example
 * ```ts
 * import type { PendingMessage } from "@tollgate/tollgate/store/postgres";
 * const tail = new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n");
 * const pending: PendingMessage = {
 *   message: { id: "018c2f5a1b0000000000", from: "", to: ["b@example.net"], size: tail.length,
 *     clientAddress: "127.0.0.1", helo: "c", receivedAt: 0 },
 *   chunks: 1, tail, writtenAt: 0,
 * };
 * console.log(pending.tail.length === pending.message.size); // true
 * ```
 */
export interface PendingMessage {
  /** The committed record. */
  message: QueuedMessage;
  /** How many chunks the body has, `tail` included. */
  chunks: number;
  /** The last chunk, not yet written; empty when the body ended on a chunk boundary. */
  tail: Uint8Array;
  /** When the tail is written (ms since epoch). */
  writtenAt: number;
}

/**
 * Commits a group of messages in one transaction with `synchronous_commit =
 * on`: their last chunks, then their rows, then a `NOTIFY` on `channel`
 * (when given) that wakes every node's delivery worker after the commit.
 *
 * @example
 * ```ts ignore
 * import { commitMessages, GroupCommitter } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * const committer = new GroupCommitter((group) => commitMessages(sql, '"tollgate"', group));
 * ```
 */
export function commitMessages(
  sql: SqlClient,
  s: string,
  group: readonly PendingMessage[],
  channel?: string,
): Promise<void> {
  return sql.transaction(async (tx) => {
    await tx.query("SET LOCAL synchronous_commit = on");
    const tails = group.filter((pending) => pending.tail.byteLength > 0);
    if (tails.length > 0) {
      await insertRows(
        tx,
        `INSERT INTO ${s}.queue_chunks (message_id, seq, data, written_at) VALUES`,
        ["text", "int", "bytea", "bigint"],
        tails.map((p) => [p.message.id, p.chunks - 1, p.tail, p.writtenAt]),
      );
    }
    await insertRows(
      tx,
      `INSERT INTO ${s}.queue_messages (id, sender, recipients, auth_user, client_address, helo,
        received_at, size, chunks, next_attempt_at, delivery) VALUES`,
      [
        "text",
        "text",
        "text::jsonb",
        "text",
        "text",
        "text",
        "bigint",
        "bigint",
        "int",
        "bigint",
        "text::jsonb",
      ],
      group.map(({ message, chunks }) => {
        const delivery = initialDelivery(message);
        return [
          message.id,
          message.from,
          JSON.stringify(message.to),
          message.authUser ?? null,
          message.clientAddress,
          message.helo,
          message.receivedAt,
          message.size,
          chunks,
          delivery.nextAttemptAt,
          JSON.stringify(delivery),
        ];
      }),
    );
    if (channel !== undefined) await tx.query("SELECT pg_notify($1::text, '')", [channel]);
  });
}

/** One multi-row `INSERT ... VALUES ($1::text, ...), (...)`. */
async function insertRows(
  tx: SqlSession,
  head: string,
  types: readonly string[],
  rows: readonly SqlParam[][],
): Promise<void> {
  const params: SqlParam[] = [];
  const tuples = rows.map((row) => {
    const placeholders = row.map((value, i) => {
      params.push(value);
      return `$${params.length}::${types[i]}`;
    });
    return `(${placeholders.join(", ")})`;
  });
  await tx.query(`${head} ${tuples.join(", ")}`, params);
}

/**
 * What a {@linkcode PostgresSpoolWriter} needs from its queue.
 *
 * @example
 * ```ts
 * import { GroupCommitter, type PendingMessage, qualify } from "@tollgate/tollgate/store/postgres";
 * import type { SpoolWriterContext, SqlClient } from "@tollgate/tollgate/store/postgres";
 * const query = () => Promise.resolve({ rows: [], count: 0 }); // a stand-in for a pool
 * const sql: SqlClient = { query, transaction: (body) => body({ query }) };
 * const committer = new GroupCommitter<PendingMessage>(async () => {});
 * const context: SpoolWriterContext = { sql, s: qualify("tollgate"), now: Date.now, committer };
 * console.log(context.s); // "\"tollgate\""
 * ```
 */
export interface SpoolWriterContext {
  /** The pool. */
  sql: SqlClient;
  /** The quoted schema name. */
  s: string;
  /** The group committer for message rows. */
  committer: GroupCommitter<PendingMessage>;
  /** The clock for `written_at`. */
  now: () => number;
  /** The chunk size; default {@linkcode CHUNK_SIZE}. */
  chunkSize?: number;
}

/**
 * Streams one body into `queue_chunks`; see the module documentation.
 *
 * @example
 * ```ts ignore
 * import type { MessageQueue } from "@tollgate/tollgate/store";
 * declare const queue: MessageQueue; // a PostgresMessageQueue
 * const writer = await queue.create();
 * await writer.write(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await writer.commit({
 *   from: "", to: ["b@example.net"], clientAddress: "127.0.0.1", helo: "c", receivedAt: 0,
 * });
 * ```
 */
export class PostgresSpoolWriter implements SpoolWriter {
  readonly id: string;
  #context: SpoolWriterContext;
  #buffer: Uint8Array;
  #filled = 0;
  #chunksWritten = 0;
  #size = 0;
  #state: "open" | "committed" | "aborted" | "failed" = "open";

  /** A writer for message `id`. */
  constructor(id: string, context: SpoolWriterContext) {
    this.id = id;
    this.#context = context;
    this.#buffer = new Uint8Array(context.chunkSize ?? CHUNK_SIZE);
  }

  /** Copies `chunk` into the buffer, inserting each chunk that fills up. */
  async write(chunk: Uint8Array): Promise<void> {
    this.#assertOpen("write message body");
    let offset = 0;
    while (offset < chunk.byteLength) {
      const take = Math.min(chunk.byteLength - offset, this.#buffer.byteLength - this.#filled);
      this.#buffer.set(chunk.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      this.#size += take;
      offset += take;
      if (this.#filled === this.#buffer.byteLength) await this.#flushChunk();
    }
  }

  /** Commits the rest of the body and the envelope; resolves once durable. */
  async commit(envelope: Envelope): Promise<QueuedMessage> {
    this.#assertOpen("commit message");
    const message = toQueuedMessage(envelope, { id: this.id, size: this.#size });
    const tail = this.#buffer.slice(0, this.#filled);
    const chunks = this.#chunksWritten + (tail.byteLength > 0 ? 1 : 0);
    try {
      await this.#context.committer.submit({
        message,
        chunks,
        tail,
        writtenAt: this.#context.now(),
      });
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
    this.#state = "committed";
    this.#buffer = new Uint8Array(0);
    return copyQueuedMessage(message);
  }

  /** Drops the buffer and deletes the chunks written so far (a sweep catches any it cannot). */
  async abort(): Promise<void> {
    if (this.#state === "committed" || this.#state === "aborted") return;
    this.#state = "aborted";
    this.#buffer = new Uint8Array(0);
    if (this.#chunksWritten === 0) return;
    try {
      await this.#context.sql.query(
        `DELETE FROM ${this.#context.s}.queue_chunks WHERE message_id = $1::text`,
        [this.id],
      );
    } catch {
      // Left for sweepAbandonedChunks: chunks without a message row are never read.
    }
  }

  async #flushChunk(): Promise<void> {
    const { sql, s, now } = this.#context;
    const seq = this.#chunksWritten;
    try {
      await sql.transaction(async (tx) => {
        await tx.query("SET LOCAL synchronous_commit = off");
        await tx.query(
          `INSERT INTO ${s}.queue_chunks (message_id, seq, data, written_at)
           VALUES ($1::text, $2::int, $3::bytea, $4::bigint)`,
          [this.id, seq, this.#buffer, now()],
        );
      });
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
    this.#chunksWritten += 1;
    this.#filled = 0;
  }

  #assertOpen(action: string): void {
    if (this.#state !== "open") {
      throw new TypeError(`Cannot ${action}: the spool writer is already ${this.#state}`);
    }
  }
}

/**
 * Deletes chunks of messages that were never committed and whose newest
 * chunk is older than `before` (ms since epoch): what a crashed writer left.
 * Returns how many messages' chunks it deleted.
 *
 * @example
 * ```ts ignore
 * import { sweepAbandonedChunks } from "@tollgate/tollgate/store/postgres";
 * declare const sql: import("@tollgate/tollgate/store/postgres").SqlClient;
 * console.log(await sweepAbandonedChunks(sql, '"tollgate"', Date.now() - 3_600_000)); // 0
 * ```
 */
export async function sweepAbandonedChunks(
  sql: SqlClient,
  s: string,
  before: number,
): Promise<number> {
  const { rows } = await sql.query(
    `WITH abandoned AS (
       SELECT c.message_id FROM ${s}.queue_chunks c
       WHERE NOT EXISTS (SELECT 1 FROM ${s}.queue_messages m WHERE m.id = c.message_id)
       GROUP BY c.message_id HAVING max(c.written_at) < $1::bigint),
     deleted AS (
       DELETE FROM ${s}.queue_chunks c USING abandoned a WHERE c.message_id = a.message_id
       RETURNING c.message_id)
     SELECT count(DISTINCT message_id) AS messages FROM deleted`,
    [before],
  );
  return Number(rows[0].messages);
}
