/**
 * DKIM keys on Deno KV: one key per selector, `["dkim", domain, selector]` →
 * the {@linkcode DkimKey} record, so a domain's keys are one prefix listing.
 *
 * @module
 */
import { compareDkimKeys, type DkimKey, type DkimKeyStore } from "../dkim_keys.ts";
import { deleteIfPresent } from "./kv_keys.ts";
import { type Kv, listEntries } from "./kv_port.ts";

/**
 * DKIM keys on Deno KV.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvDkimKeyStore } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const keys = new KvDkimKeyStore(kv);
 * console.log(await keys.list()); // []
 * kv.close();
 * ```
 */
export class KvDkimKeyStore implements DkimKeyStore {
  #kv: Kv;
  /** Keeps the keys in `kv`. */
  constructor(kv: Kv) {
    this.#kv = kv;
  }
  /** Every key, sorted by domain, then selector. */
  list(): Promise<DkimKey[]> {
    return this.#listPrefix(["dkim"]);
  }
  /** The domain's keys, sorted by selector. */
  get(domain: string): Promise<DkimKey[]> {
    return this.#listPrefix(["dkim", domain]);
  }
  /** Creates or replaces the key with this domain and selector. */
  async put(key: DkimKey): Promise<void> {
    await this.#kv.set(["dkim", key.domain, key.selector], { ...key });
  }
  /** Removes one selector's key; returns whether it existed. */
  remove(domain: string, selector: string): Promise<boolean> {
    return deleteIfPresent(this.#kv, ["dkim", domain, selector]);
  }
  /** Removes every key of the domain; returns how many there were. */
  async removeDomain(domain: string): Promise<number> {
    let removed = 0;
    for (const key of await this.get(domain)) {
      if (await this.remove(domain, key.selector)) removed++;
    }
    return removed;
  }
  async #listPrefix(prefix: string[]): Promise<DkimKey[]> {
    const keys: DkimKey[] = [];
    for await (const entry of listEntries<DkimKey>(this.#kv, { prefix })) keys.push(entry.value);
    return keys.sort(compareDkimKeys);
  }
}
