/**
 * In-memory stores: for tests, development, and as the reference behaviour
 * that `tests/store_contract.ts` pins down for every backend.
 *
 * Nothing here survives the process. Callers always get copies, never the
 * objects the store keeps, and the store never keeps a caller's object.
 *
 * @module
 */
import { assertPageLimit, pageOf } from "../paging.ts";
import { copyQueuedMessage, copyUserRecord, toQueuedMessage } from "../records.ts";
import { copyDelivery, initialDelivery } from "../delivery_records.ts";
import { MemoryRouteStore } from "./routes.ts";
import { MemorySenderStore } from "../senders.ts";
import { MemoryDkimKeyStore } from "../dkim_keys.ts";
import { QueueIdGenerator, type QueueIdGeneratorOptions } from "../queue_id.ts";
import type {
  DeliveryState,
  DomainStore,
  DueMessage,
  Envelope,
  MessageQueue,
  NetworkStore,
  Page,
  PageRequest,
  QueuedMessage,
  QueueStats,
  SpoolWriter,
  Stores,
  UserRecord,
  UserStore,
} from "../types.ts";

export { MemoryRouteStore };

/**
 * A set of text entries kept in memory: what {@linkcode MemoryDomainStore}
 * and {@linkcode MemoryNetworkStore} are.
 *
 * @example
 * ```ts
 * import { MemoryEntrySet } from "@tollgate/tollgate/store";
 * const entries = new MemoryEntrySet();
 * await entries.add("b");
 * await entries.add("a");
 * console.log(await entries.list(), await entries.remove("c")); // ["a", "b"] false
 * ```
 */
export class MemoryEntrySet implements DomainStore, NetworkStore {
  #entries = new Set<string>();

  /** Every entry, sorted. */
  list(): Promise<string[]> {
    return Promise.resolve([...this.#entries].sort());
  }
  /** Whether this exact entry exists. */
  has(entry: string): Promise<boolean> {
    return Promise.resolve(this.#entries.has(entry));
  }
  /** Adds an entry; adding one that exists is not an error. */
  add(entry: string): Promise<void> {
    this.#entries.add(entry);
    return Promise.resolve();
  }
  /** Removes an entry; returns whether it existed. */
  remove(entry: string): Promise<boolean> {
    return Promise.resolve(this.#entries.delete(entry));
  }
}

/**
 * Local domains kept in memory.
 *
 * @example
 * ```ts
 * import { MemoryDomainStore } from "@tollgate/tollgate/store";
 * const domains = new MemoryDomainStore();
 * await domains.add("example.net");
 * console.log(await domains.has("example.net")); // true
 * ```
 */
export class MemoryDomainStore extends MemoryEntrySet {}

/**
 * Relay-client networks kept in memory.
 *
 * @example
 * ```ts
 * import { MemoryNetworkStore } from "@tollgate/tollgate/store";
 * const networks = new MemoryNetworkStore();
 * await networks.add("192.0.2.0/24");
 * console.log(await networks.list()); // ["192.0.2.0/24"]
 * ```
 */
export class MemoryNetworkStore extends MemoryEntrySet {}

/**
 * Users kept in memory, listed in address order.
 *
 * @example
 * ```ts
 * import { MemoryUserStore } from "@tollgate/tollgate/store";
 * const users = new MemoryUserStore();
 * await users.put({ address: "test@domain.de", passwordHash: "$scrypt$...", updatedAt: 0 });
 * console.log((await users.list({ limit: 10 })).items.length); // 1
 * ```
 */
export class MemoryUserStore implements UserStore {
  #users = new Map<string, UserRecord>();

  /** The user with this address, or undefined. */
  get(address: string): Promise<UserRecord | undefined> {
    const user = this.#users.get(address);
    return Promise.resolve(user && copyUserRecord(user));
  }
  /** Creates or replaces the user. */
  put(user: UserRecord): Promise<void> {
    this.#users.set(user.address, copyUserRecord(user));
    return Promise.resolve();
  }
  /** Removes the user; returns whether it existed. */
  remove(address: string): Promise<boolean> {
    return Promise.resolve(this.#users.delete(address));
  }
  /** A page of users sorted by address; the cursor is the last address. */
  list(page: PageRequest): Promise<Page<UserRecord>> {
    return new Promise((resolve) => {
      const sorted = [...this.#users.values()].sort((a, b) => a.address < b.address ? -1 : 1);
      const result = pageOf(sorted, (user) => user.address, page);
      resolve({ ...result, items: result.items.map(copyUserRecord) });
    });
  }
}

interface StoredMessage {
  message: QueuedMessage;
  body: Uint8Array[];
  delivery: DeliveryState;
}

/**
 * The mail queue kept in memory. Ids come from a {@linkcode QueueIdGenerator}
 * reading `now`.
 *
 * @example
 * ```ts
 * import { MemoryMessageQueue } from "@tollgate/tollgate/store";
 * const queue = new MemoryMessageQueue(() => Date.now());
 * const writer = await queue.create();
 * await writer.write(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * const message = await writer.commit({
 *   from: "", to: ["b@example.net"], clientAddress: "127.0.0.1", helo: "c", receivedAt: 0,
 * });
 * console.log(message.size); // 22
 * ```
 */
export class MemoryMessageQueue implements MessageQueue {
  #ids: QueueIdGenerator;
  #messages = new Map<string, StoredMessage>();

  /** `now` gives ms since epoch for ids; `options.randomBytes` seeds them. */
  constructor(now: () => number, options: QueueIdGeneratorOptions = {}) {
    this.#ids = new QueueIdGenerator(now, options);
  }

  /** Starts a new message; nothing is visible until its writer commits. */
  create(): Promise<SpoolWriter> {
    const writer = new MemorySpoolWriter(this.#ids.next(), (stored) => {
      this.#messages.set(stored.message.id, stored);
    });
    return Promise.resolve(writer);
  }
  /** A page of committed messages, oldest first; the cursor is the last id. */
  list(page: PageRequest): Promise<Page<QueuedMessage>> {
    return new Promise((resolve) => {
      const sorted = [...this.#messages.keys()].sort();
      const result = pageOf(sorted, (id) => id, page);
      const items = result.items.map((id) => copyQueuedMessage(this.#messages.get(id)!.message));
      resolve({ ...result, items });
    });
  }
  /** One committed message's envelope, or undefined. */
  get(id: string): Promise<QueuedMessage | undefined> {
    const stored = this.#messages.get(id);
    return Promise.resolve(stored && copyQueuedMessage(stored.message));
  }
  /** The body as written, in copies; rejects with a `RangeError` for an unknown id. */
  async *readBody(id: string): AsyncIterable<Uint8Array> {
    const stored = this.#messages.get(id);
    if (!stored) throw new RangeError(`Cannot read message body: no queued message ${id}`);
    for (const chunk of stored.body) yield chunk.slice();
  }
  /** Removes a message and its body; returns whether it existed. */
  remove(id: string): Promise<boolean> {
    return Promise.resolve(this.#messages.delete(id));
  }
  /** One committed message's delivery state, or undefined. */
  delivery(id: string): Promise<DeliveryState | undefined> {
    const stored = this.#messages.get(id);
    return Promise.resolve(stored && copyDelivery(stored.delivery));
  }
  /** Due messages, earliest `nextAttemptAt` first, ties by id. */
  due(now: number, limit: number): Promise<DueMessage[]> {
    return new Promise((resolve) => {
      assertPageLimit(limit);
      const due = [...this.#messages.values()]
        .filter((stored) => stored.delivery.nextAttemptAt <= now)
        .sort((a, b) =>
          a.delivery.nextAttemptAt - b.delivery.nextAttemptAt ||
          (a.message.id < b.message.id ? -1 : 1)
        );
      resolve(
        due.slice(0, limit).map((stored) => ({
          message: copyQueuedMessage(stored.message),
          delivery: copyDelivery(stored.delivery),
        })),
      );
    });
  }
  /** Replaces a message's delivery state; false when the message is gone. */
  update(id: string, delivery: DeliveryState): Promise<boolean> {
    const stored = this.#messages.get(id);
    if (stored) stored.delivery = copyDelivery(delivery);
    return Promise.resolve(stored !== undefined);
  }
  /** Counts the messages in memory; the oldest is the one with the smallest id. */
  stats(): Promise<QueueStats> {
    const stats: QueueStats = { messages: 0, held: 0, bytes: 0 };
    let first: QueuedMessage | undefined;
    for (const { message, delivery } of this.#messages.values()) {
      stats.messages += 1;
      stats.bytes += message.size;
      if (delivery.held) stats.held += 1;
      if (first === undefined || message.id < first.id) first = message;
    }
    return Promise.resolve(first ? { ...stats, oldestReceivedAt: first.receivedAt } : stats);
  }
}

/** Collects a body in memory and hands it to the queue on commit. */
class MemorySpoolWriter implements SpoolWriter {
  readonly id: string;
  #onCommit: (stored: StoredMessage) => void;
  #body: Uint8Array[] = [];
  #size = 0;
  #state: "open" | "committed" | "aborted" = "open";

  constructor(id: string, onCommit: (stored: StoredMessage) => void) {
    this.id = id;
    this.#onCommit = onCommit;
  }

  write(chunk: Uint8Array): Promise<void> {
    const closed = this.#closedError("write message body");
    if (closed) return Promise.reject(closed);
    this.#body.push(chunk.slice());
    this.#size += chunk.byteLength;
    return Promise.resolve();
  }
  commit(envelope: Envelope): Promise<QueuedMessage> {
    const closed = this.#closedError("commit message");
    if (closed) return Promise.reject(closed);
    const message = toQueuedMessage(envelope, { id: this.id, size: this.#size });
    this.#onCommit({ message, body: this.#body, delivery: initialDelivery(message) });
    this.#state = "committed";
    this.#body = [];
    return Promise.resolve(copyQueuedMessage(message));
  }
  abort(): Promise<void> {
    if (this.#state === "open") {
      this.#state = "aborted";
      this.#body = [];
    }
    return Promise.resolve();
  }

  #closedError(action: string): TypeError | undefined {
    if (this.#state === "open") return undefined;
    return new TypeError(`Cannot ${action}: the spool writer is already ${this.#state}`);
  }
}

/**
 * Every store, in memory: a fresh, empty bundle.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(() => Date.now());
 * await stores.domains.add("example.net");
 * console.log(await stores.domains.list()); // ["example.net"]
 * ```
 */
export function createMemoryStores(
  now: () => number,
  options: QueueIdGeneratorOptions = {},
): Stores {
  return {
    domains: new MemoryDomainStore(),
    users: new MemoryUserStore(),
    networks: new MemoryNetworkStore(),
    queue: new MemoryMessageQueue(now, options),
    routes: new MemoryRouteStore(),
    senders: new MemorySenderStore(),
    dkim: new MemoryDkimKeyStore(),
  };
}
