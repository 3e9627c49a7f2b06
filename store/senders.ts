/**
 * The envelope senders each user may use besides its own address
 * (see `relay/sender_policy.ts`), and their in-memory backend.
 *
 * @module
 */

/**
 * Per user, the granted sender entries: `a@b` (one address) or `@b` (a whole
 * domain). Users and entries are stored as given; the admin API lower-cases
 * both before they get here.
 *
 * @example
 * ```ts
 * import { MemorySenderStore } from "@tollgate/tollgate/store";
 * const senders = new MemorySenderStore();
 * await senders.add("test@domain.de", "@shop.domain.de");
 * console.log(await senders.list("test@domain.de")); // ["@shop.domain.de"]
 * ```
 */
export interface SenderStore {
  /** The user's entries, sorted; empty for a user with none. */
  list(user: string): Promise<string[]>;
  /** Grants an entry; granting one that exists is not an error. */
  add(user: string, entry: string): Promise<void>;
  /** Withdraws an entry; returns whether it existed. */
  remove(user: string, entry: string): Promise<boolean>;
}

/**
 * Sender grants kept in memory.
 *
 * @example
 * ```ts
 * import { MemorySenderStore } from "@tollgate/tollgate/store";
 * const senders = new MemorySenderStore();
 * await senders.add("test@domain.de", "info@domain.de");
 * console.log(await senders.remove("test@domain.de", "info@domain.de")); // true
 * console.log(await senders.list("test@domain.de")); // []
 * ```
 */
export class MemorySenderStore implements SenderStore {
  #entries = new Map<string, Set<string>>();

  /** The user's entries, sorted. */
  list(user: string): Promise<string[]> {
    return Promise.resolve([...this.#entries.get(user) ?? []].sort());
  }
  /** Grants an entry; granting one that exists is not an error. */
  add(user: string, entry: string): Promise<void> {
    const entries = this.#entries.get(user) ?? new Set<string>();
    entries.add(entry);
    this.#entries.set(user, entries);
    return Promise.resolve();
  }
  /** Withdraws an entry; returns whether it existed. */
  remove(user: string, entry: string): Promise<boolean> {
    const entries = this.#entries.get(user);
    const existed = entries?.delete(entry) ?? false;
    if (entries?.size === 0) this.#entries.delete(user);
    return Promise.resolve(existed);
  }
}
