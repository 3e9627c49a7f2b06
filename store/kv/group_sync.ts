/**
 * Shares fsyncs between callers: a call made while one runs waits for the
 * next, which every such call shares.
 *
 * @module
 */

/**
 * Runs `flush` (an fsync) for callers who need everything they wrote before
 * their call to be durable. A call made while a flush runs cannot rely on
 * it (the flush may have started before the caller's write), so it waits
 * for the next one, which every call made meanwhile shares: twenty writers
 * that finish together cost two flushes, not twenty.
 *
 * @example
 * ```ts
 * import { GroupSync } from "./group_sync.ts";
 * let flushes = 0;
 * const group = new GroupSync(async () => void flushes++); // e.g. an open file's `syncData`
 * await Promise.all([group.sync(), group.sync(), group.sync()]);
 * console.log(flushes); // 2: the first call's, and one the other two share
 * ```
 */
export class GroupSync {
  readonly #flush: () => Promise<void>;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  /** Shares calls of `flush`. */
  constructor(flush: () => Promise<void>) {
    this.#flush = flush;
  }

  /** Resolves once a flush that started after this call has finished; rejects if it fails. */
  sync(): Promise<void> {
    if (!this.#running) return this.#start();
    this.#next ??= this.#running.catch(() => {}).then(() => {
      this.#next = undefined;
      return this.#start();
    });
    return this.#next;
  }

  #start(): Promise<void> {
    const running = new Promise<void>((resolve) => resolve(this.#flush()));
    this.#running = running;
    running.catch(() => {}).finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    return running;
  }
}
