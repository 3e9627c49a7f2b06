/**
 * The mail queue: accepted messages, their bodies, due messages and the
 * queue's statistics.
 *
 * @module
 */
import type { DeliveryState } from "./delivery_state.ts";
import type { Page, PageRequest } from "./page.ts";

/**
 * What the queue knows about one accepted message.
 *
 * @example
 * ```ts
 * import type { QueuedMessage } from "@tollgate/tollgate/store";
 * const message: QueuedMessage = {
 *   id: "01a24f9768eb6ec3f444", from: "test@domain.de", to: ["friend@example.net"],
 *   clientAddress: "192.0.2.1", helo: "client.example", receivedAt: 0, size: 1351,
 * };
 * console.log(message.to); // ["friend@example.net"]
 * ```
 */
export interface QueuedMessage {
  /** The queue id: sortable by acceptance time. */
  id: string;
  /** The envelope sender (`MAIL FROM`); empty string for the null sender `<>`. */
  from: string;
  /** The envelope recipients (`RCPT TO`), in order. */
  to: string[];
  /** The authenticated user (SMTP AUTH), if the client authenticated. */
  authUser?: string;
  /** The client's IP address. */
  clientAddress: string;
  /** The name the client gave in HELO/EHLO. */
  helo: string;
  /** When the final `250` was decided (ms since epoch). */
  receivedAt: number;
  /** The stored size in bytes, Received header included. */
  size: number;
}

/**
 * The envelope data a writer commits; the queue adds `id` and `size`.
 *
 * @example
 * ```ts
 * import type { Envelope } from "@tollgate/tollgate/store";
 * const envelope: Envelope = {
 *   from: "", to: ["postmaster@domain.de"], clientAddress: "::1", helo: "h", receivedAt: 0,
 * };
 * console.log(envelope.from === ""); // true (the null sender)
 * ```
 */
export type Envelope = Omit<QueuedMessage, "id" | "size">;

/**
 * Streams one message body into the spool. Nothing is visible in the queue
 * until {@linkcode SpoolWriter.commit} resolves; only then is the message durable.
 *
 * @example
 * ```ts
 * import { createMemoryStores, type SpoolWriter } from "@tollgate/tollgate/store";
 * const writer: SpoolWriter = await createMemoryStores(Date.now).queue.create();
 * await writer.write(new TextEncoder().encode("Subject: hi\r\n\r\nHello.\r\n"));
 * const message = await writer.commit({ from: "", to: ["b@example.net"], clientAddress: "::1", helo: "h", receivedAt: 0 });
 * console.log(message.size); // 23
 * ```
 */
export interface SpoolWriter {
  /** The id the message will have in the queue. */
  readonly id: string;
  /** Appends bytes to the body. Resolve before writing more. */
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the message durable and visible; after this, `250` may be sent. */
  commit(envelope: Envelope): Promise<QueuedMessage>;
  /** Drops everything written; safe to call more than once, or after a failure. */
  abort(): Promise<void>;
}

/**
 * A message that is due, with its delivery state.
 *
 * @example
 * ```ts
 * import { createMemoryStores, type DueMessage } from "@tollgate/tollgate/store";
 * const { queue } = createMemoryStores(() => 0);
 * const writer = await queue.create();
 * await writer.commit({ from: "", to: ["b@example.net"], clientAddress: "::1", helo: "h", receivedAt: 0 });
 * const [due]: DueMessage[] = await queue.due(0, 10);
 * console.log(due.delivery.recipients[0].status); // "queued"
 * ```
 */
export interface DueMessage {
  /** The envelope. */
  message: QueuedMessage;
  /** Its delivery state. */
  delivery: DeliveryState;
}

/**
 * What the queue holds, counted without reading every message
 * ({@linkcode MessageQueue.stats}).
 *
 * @example
 * ```ts
 * import { createMemoryStores, type QueueStats } from "@tollgate/tollgate/store";
 * const stats: QueueStats = await createMemoryStores(Date.now).queue.stats();
 * console.log(stats); // { messages: 0, held: 0, bytes: 0 }
 * ```
 */
export interface QueueStats {
  /** Committed messages in the queue, held ones included. */
  messages: number;
  /** Messages on hold (their delivery state has `held`). */
  held: number;
  /** The sum of their `size`s in bytes. */
  bytes: number;
  /**
   * The `receivedAt` of the oldest message: the first in `list()` order (ids
   * sort by when a message was started, so a message whose transfer began
   * earlier but ended later may come first); absent when the queue is empty.
   */
  oldestReceivedAt?: number;
}

/**
 * The durable mail queue: accepted messages waiting for delivery.
 *
 * @example
 * ```ts
 * import { MemoryMessageQueue } from "@tollgate/tollgate/store";
 * const queue = new MemoryMessageQueue(() => Date.now());
 * const writer = await queue.create();
 * await writer.write(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await writer.commit({
 *   from: "a@example.net", to: ["b@example.net"], clientAddress: "127.0.0.1",
 *   helo: "client.test", receivedAt: Date.now(),
 * });
 * console.log((await queue.list({ limit: 10 })).items.length); // 1
 * ```
 */
export interface MessageQueue {
  /** Starts a new message. */
  create(): Promise<SpoolWriter>;
  /** A page of queued messages, oldest first. */
  list(page: PageRequest): Promise<Page<QueuedMessage>>;
  /** One queued message's envelope, or undefined. */
  get(id: string): Promise<QueuedMessage | undefined>;
  /** The stored body (with the Received header), in chunks. */
  readBody(id: string): AsyncIterable<Uint8Array>;
  /** Removes a message and its body; returns whether it existed. */
  remove(id: string): Promise<boolean>;
  /** One queued message's delivery state, or undefined. */
  delivery(id: string): Promise<DeliveryState | undefined>;
  /**
   * At most `limit` messages whose `nextAttemptAt` is at or before `now`,
   * earliest first (ties by id).
   */
  due(now: number, limit: number): Promise<DueMessage[]>;
  /** Replaces a message's delivery state; returns false when the message is gone. */
  update(id: string, delivery: DeliveryState): Promise<boolean>;
  /**
   * How many messages (and bytes) are queued and held, and the oldest one's
   * receipt: without reading every message, so cheap on a large queue.
   */
  stats(): Promise<QueueStats>;
}
