/**
 * Group commit for Deno KV. Every KV commit is a SQLite transaction and an
 * fsync of the WAL (see `kv_stores.ts`), which bounds how many writes a
 * second the spool can make; writes that wait while commits are in flight
 * are committed together in the next, so N concurrent writers share one fsync.
 *
 * @module
 */
import {
  addAtomicSizes,
  addWrite,
  type AtomicWrite,
  type AtomicWriteSize,
  fitsAtomicLimits,
  KV_ATOMIC_LIMITS,
  measureAtomicWrite,
} from "./kv_atomic_limits.ts";
import type { Kv, KvCommitResult, KvKey } from "./kv_port.ts";

/** What a write's commit returned: `ok: false` when one of its checks failed. */
export type AtomicWriteResult = KvCommitResult;

/** Options for {@linkcode KvCommitBatcher}. */
export interface KvCommitBatcherOptions {
  /** The most one commit may hold; defaults to {@linkcode KV_ATOMIC_LIMITS}. */
  limits?: AtomicWriteSize;
  /**
   * How many commits may be in flight at once; default 2. With one, KV's
   * writer thread idles while the next group waits for the main thread; with
   * two, it starts the next commit as soon as the last one is durable
   * (`-d` at c=20: 7–12% more messages a second, `docs/performance.md`).
   */
  commitsInFlight?: number;
  /** How long a lazy write waits for a commit to join before it is committed alone; default 20 ms. */
  lazyCommitMs?: number;
}

interface Waiting {
  write: AtomicWrite;
  size: AtomicWriteSize;
  resolve(result: AtomicWriteResult): void;
  reject(error: unknown): void;
}

/**
 * Commits atomic writes in groups: when fewer commits than allowed are in
 * flight, it starts one with every write waiting (those made in the same
 * turn included); otherwise writes wait for the next. A group stays within KV's limits for
 * one atomic operation and is split when it would not. Each write keeps its
 * own outcome: when a group fails (a check failed, or KV threw), every write
 * in it is committed again on its own, so only the one at fault fails. A
 * write's promise settles only once its commit is durable or has failed.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvCommitBatcher } from "./kv_commit_batcher.ts";
 * const kv = await openKv(":memory:");
 * const batcher = new KvCommitBatcher(kv);
 * const [a, b] = await Promise.all([
 *   batcher.commit({ checks: [], mutations: [{ type: "set", key: ["a"], value: 1 }] }),
 *   batcher.commit({ checks: [], mutations: [{ type: "set", key: ["b"], value: 2 }] }),
 * ]);
 * console.log(a.ok && b.ok && a.versionstamp === b.versionstamp); // true: one commit
 * kv.close();
 * ```
 */
export class KvCommitBatcher {
  #kv: Pick<Kv, "atomic">;
  #limits: AtomicWriteSize;
  #commitsInFlight: number;
  #waiting: Waiting[] = [];
  #running = 0;
  #lazyMs: number;
  #lazyTimer: ReturnType<typeof setTimeout> | undefined;

  /** Commits to `kv` (anything with KV's `atomic()`). */
  constructor(kv: Pick<Kv, "atomic">, options: KvCommitBatcherOptions = {}) {
    this.#kv = kv;
    this.#limits = options.limits ?? KV_ATOMIC_LIMITS;
    this.#commitsInFlight = options.commitsInFlight ?? 2;
    this.#lazyMs = options.lazyCommitMs ?? 20;
  }

  /**
   * Commits `write` with whatever else is waiting. Resolves like
   * `kv.atomic().commit()` would for `write` alone, and rejects with KV's
   * error if `write` cannot be committed even on its own.
   *
   * A `lazy` write starts no commit of its own: it joins the next one, or is
   * committed alone after `lazyCommitMs` if none comes. For writes that
   * need not be durable at once, such as removing a delivered message (a
   * crash before it is durable only means the message is delivered again):
   * with one client relaying, it halved the fsyncs per message (2 to 1.2).
   */
  commit(write: AtomicWrite, options: { lazy?: boolean } = {}): Promise<AtomicWriteResult> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ write, size: measureAtomicWrite(write), resolve, reject });
      if (options.lazy) this.#lazyTimer ??= setTimeout(() => this.#commitLazy(), this.#lazyMs);
      else if (this.#running < this.#commitsInFlight) this.#run();
    });
  }

  #commitLazy(): void {
    this.#lazyTimer = undefined;
    if (this.#waiting.length > 0 && this.#running < this.#commitsInFlight) this.#run();
  }

  async #run(): Promise<void> {
    this.#running++;
    // Writes made later in this turn join the group.
    await Promise.resolve();
    while (this.#waiting.length > 0) await this.#commitGroup(this.#takeGroup());
    this.#running--;
    // Lazy writes went with this commit: nothing is left for their timer.
    clearTimeout(this.#lazyTimer);
    this.#lazyTimer = undefined;
  }

  /**
   * The longest run of waiting writes, oldest first, that fits one commit
   * (at least one) and in which no write checks a key another one sets or
   * deletes: KV checks every check of a commit before any mutation, so two
   * writes that check one entry and both change it would both pass.
   */
  #takeGroup(): Waiting[] {
    let total = this.#waiting[0].size;
    const keys = new WriteKeys(this.#waiting[0].write);
    let count = 1;
    while (count < this.#waiting.length) {
      const { write, size } = this.#waiting[count];
      const next = addAtomicSizes(total, size);
      if (!fitsAtomicLimits(next, this.#limits) || keys.conflictsWith(write)) break;
      total = next;
      keys.add(write);
      count++;
    }
    return this.#waiting.splice(0, count);
  }

  /** Settles every write of `group`; never rejects. */
  async #commitGroup(group: Waiting[]): Promise<void> {
    if (group.length > 1) {
      const result = await this.#commitTogether(group.map((waiting) => waiting.write))
        .catch(() => undefined);
      if (result?.ok) {
        for (const waiting of group) waiting.resolve(result);
        return;
      }
    }
    // Which write failed the group is unknown: each is tried alone, and keeps its own outcome.
    await Promise.all(
      group.map((waiting) =>
        this.#commitTogether([waiting.write]).then(waiting.resolve, waiting.reject)
      ),
    );
  }

  async #commitTogether(writes: AtomicWrite[]): Promise<AtomicWriteResult> {
    const operation = this.#kv.atomic();
    for (const write of writes) addWrite(operation, write);
    return await operation.commit();
  }
}

/** The keys a group of writes checks and sets or deletes (counter sums check nothing: they add up). */
class WriteKeys {
  #checked = new Set<string>();
  #changed = new Set<string>();

  constructor(write: AtomicWrite) {
    this.add(write);
  }

  add(write: AtomicWrite): void {
    for (const check of write.checks) this.#checked.add(keyId(check.key));
    for (const mutation of write.mutations) {
      if (mutation.type !== "sum") this.#changed.add(keyId(mutation.key));
    }
  }

  /** Whether `write` checks a key the group changes, or changes one it checks. */
  conflictsWith(write: AtomicWrite): boolean {
    return write.checks.some((check) => this.#changed.has(keyId(check.key))) ||
      write.mutations.some((mutation) =>
        mutation.type !== "sum" && this.#checked.has(keyId(mutation.key))
      );
  }
}

/** A string that is equal for equal keys: each part's type, length and text (cheap: per write). */
function keyId(key: KvKey): string {
  let id = "";
  for (const part of key) {
    const text = part instanceof Uint8Array ? part.join(",") : String(part);
    id += `${typeof part}${text.length}:${text}`;
  }
  return id;
}
