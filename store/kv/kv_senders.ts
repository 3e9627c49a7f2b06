/**
 * Sender grants on Deno KV: one key per grant, `["sender", user, entry]` →
 * `true`, so a user's grants are one prefix listing, in KV key order (UTF-8
 * bytes, which is sorted order for the lower-case ASCII the admin API writes).
 *
 * @module
 */
import type { SenderStore } from "../senders.ts";
import { deleteIfPresent } from "./kv_keys.ts";
import type { Kv, KvKey } from "./kv_port.ts";

const senderKey = (user: string, entry: string): KvKey => ["sender", user, entry];

/**
 * Sender grants on Deno KV.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { KvSenderStore } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const senders = new KvSenderStore(kv);
 * await senders.add("test@domain.de", "@shop.domain.de");
 * console.log(await senders.list("test@domain.de")); // ["@shop.domain.de"]
 * kv.close();
 * ```
 */
export class KvSenderStore implements SenderStore {
  #kv: Kv;
  /** Keeps the grants in `kv`. */
  constructor(kv: Kv) {
    this.#kv = kv;
  }
  /** The user's entries, sorted. */
  async list(user: string): Promise<string[]> {
    const entries: string[] = [];
    for await (const entry of this.#kv.list({ prefix: ["sender", user] })) {
      entries.push(String(entry.key[2]));
    }
    return entries;
  }
  /** Grants an entry; granting one that exists is not an error. */
  async add(user: string, entry: string): Promise<void> {
    await this.#kv.set(senderKey(user, entry), true);
  }
  /** Withdraws an entry; returns whether it existed. */
  remove(user: string, entry: string): Promise<boolean> {
    return deleteIfPresent(this.#kv, senderKey(user, entry));
  }
}
