/**
 * Helpers shared by the store contract and the backend tests.
 *
 * @module
 */
import type { Envelope, MessageQueue, QueuedMessage, Stores } from "../store/types.ts";
import { concatBytes } from "./_fuzz.ts";

/** The spool chunk size of the KV backend: body sizes around it are edge cases. */
export const CHUNK = 60 * 1024;

/** Deterministic, non-repeating test bytes (xorshift32), so misplaced chunks show. */
export function testBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = seed || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** Concatenates a body read from the queue. */
export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return concatBytes(parts);
}

/** An envelope for tests; `overrides` replace single fields. */
export function envelope(overrides: Partial<Envelope> = {}): Envelope {
  return {
    from: "sender@example.net",
    to: ["one@example.org", "two@example.org"],
    clientAddress: "192.0.2.10",
    helo: "client.example.net",
    receivedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** Stores `body`, written `pieceSize` bytes at a time, and commits it. */
export async function enqueue(
  queue: MessageQueue,
  body: Uint8Array,
  options: { pieceSize?: number; envelope?: Envelope } = {},
): Promise<QueuedMessage> {
  const writer = await queue.create();
  const pieceSize = options.pieceSize ?? 8191;
  for (let offset = 0; offset < body.byteLength; offset += pieceSize) {
    await writer.write(body.subarray(offset, offset + pieceSize));
  }
  return await writer.commit(options.envelope ?? envelope());
}

/** Opens a fresh, empty bundle of stores, and how to close it. */
export type OpenStores = () => Promise<{ stores: Stores; close(): void | Promise<void> }>;

/** Opens something closable, runs `body` with it, and closes it whatever happens. */
export async function withOpened<T extends { close(): void | Promise<void> }>(
  open: () => Promise<T>,
  body: (opened: T) => Promise<void>,
): Promise<void> {
  const opened = await open();
  try {
    await body(opened);
  } finally {
    await opened.close();
  }
}

/** Opens stores, runs `body`, and closes them whatever happens. */
export function withStores(
  open: OpenStores,
  body: (stores: Stores) => Promise<void>,
): Promise<void> {
  return withOpened(open, ({ stores }) => body(stores));
}
