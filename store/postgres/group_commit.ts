/**
 * Group commit: items submitted while earlier commits are in flight wait and
 * are committed together in the next transaction, so N messages accepted at
 * once share one transaction, one connection and one WAL flush.
 *
 * @module
 */

/**
 * Options for {@linkcode GroupCommitter}.
 *
 * @example
 * ```ts
 * import { GroupCommitter, type GroupCommitterOptions } from "@tollgate/tollgate/store/postgres";
 * const options: GroupCommitterOptions = { maxBatch: 2, maxInFlight: 1 };
 * const batches: number[] = [];
 * const committer = new GroupCommitter<string>(async (items) => {
 *   batches.push(items.length);
 * }, options);
 * await Promise.all(["a", "b", "c"].map((item) => committer.submit(item)));
 * console.log(batches); // [1, 2]: "a" alone, then "b" and "c" together
 * ```
 */
export interface GroupCommitterOptions {
  /** The most items one transaction takes; default 64. */
  maxBatch?: number;
  /** How many transactions may be in flight at once; default 2. */
  maxInFlight?: number;
}

interface Waiting<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Runs `commit(items)` for groups of submitted items. When fewer than
 * `maxInFlight` commits run, a submission starts one at once with everything
 * waiting; otherwise it waits for the next. Each item keeps its own outcome:
 * when a group fails, each of its items is committed again alone, so only the
 * one at fault fails. A submission settles only when its commit has.
 *
 * @example
 * ```ts
 * import { GroupCommitter } from "@tollgate/tollgate/store/postgres";
 * const groups: number[][] = [];
 * const committer = new GroupCommitter<number>(async (items) => {
 *   groups.push(items);
 *   await new Promise((resolve) => setTimeout(resolve, 1));
 * }, { maxInFlight: 1 });
 * await Promise.all([1, 2, 3].map((n) => committer.submit(n)));
 * console.log(groups); // [[1], [2, 3]]
 * ```
 */
export class GroupCommitter<T> {
  #commit: (items: T[]) => Promise<void>;
  #maxBatch: number;
  #maxInFlight: number;
  #waiting: Waiting<T>[] = [];
  #inFlight = 0;

  /** `commit` must commit all of `items` in one transaction, or throw. */
  constructor(commit: (items: T[]) => Promise<void>, options: GroupCommitterOptions = {}) {
    this.#commit = commit;
    this.#maxBatch = options.maxBatch ?? 64;
    this.#maxInFlight = options.maxInFlight ?? 2;
  }

  /** Commits `item` with whatever else is waiting; resolves once committed. */
  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#waiting.length > 0) {
      const group = this.#waiting.splice(0, this.#maxBatch);
      this.#inFlight += 1;
      this.#run(group).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
      });
    }
  }

  async #run(group: Waiting<T>[]): Promise<void> {
    try {
      await this.#commit(group.map((waiting) => waiting.item));
      for (const waiting of group) waiting.resolve();
    } catch (error) {
      if (group.length === 1) return group[0].reject(error);
      for (const waiting of group) {
        try {
          await this.#commit([waiting.item]);
          waiting.resolve();
        } catch (alone) {
          waiting.reject(alone);
        }
      }
    }
  }
}
