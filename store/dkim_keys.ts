/**
 * DKIM signing keys per domain (see `delivery/dkim_signer.ts`), and their
 * in-memory backend.
 *
 * @module
 */

/**
 * The two DKIM signing algorithms Tollgate uses (RFC 6376, RFC 8463).
 *
 * @example
 * ```ts
 * import type { DkimAlgorithm } from "@tollgate/tollgate/store";
 * const both: DkimAlgorithm[] = ["rsa-sha256", "ed25519-sha256"];
 * console.log(both.length); // 2
 * ```
 */
export type DkimAlgorithm = "rsa-sha256" | "ed25519-sha256";

/**
 * One DKIM key: a selector of a domain with its key pair. The private key
 * never leaves the store through the admin API or a log line.
 *
 * @example
 * ```ts
 * import type { DkimKey } from "@tollgate/tollgate/store";
 * const key: DkimKey = {
 *   domain: "domain.de", selector: "tg20261201-ed", algorithm: "ed25519-sha256",
 *   privateKey: "MC4CAQAwBQYDK2VwBCIEI...", publicKey: "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
 *   createdAt: 0,
 * };
 * console.log(key.selector); // "tg20261201-ed"
 * ```
 */
export interface DkimKey {
  /** The signing domain (`d=`), lower-case. */
  domain: string;
  /** The selector (`s=`), lower-case; unique within the domain. */
  selector: string;
  /** The algorithm (`a=`). */
  algorithm: DkimAlgorithm;
  /** The private key: PKCS #8 DER, base64. */
  privateKey: string;
  /** The public key as published (`p=`): SPKI DER for RSA, the raw 32 bytes for Ed25519; base64. */
  publicKey: string;
  /** When the key was made (ms since epoch): the newest of each algorithm signs. */
  createdAt: number;
}

/**
 * DKIM keys, keyed by (domain, selector).
 *
 * @example
 * ```ts
 * import { MemoryDkimKeyStore } from "@tollgate/tollgate/store";
 * const keys = new MemoryDkimKeyStore();
 * await keys.put({
 *   domain: "domain.de", selector: "s1", algorithm: "rsa-sha256",
 *   privateKey: "...", publicKey: "...", createdAt: 0,
 * });
 * console.log((await keys.get("domain.de")).map((key) => key.selector)); // ["s1"]
 * ```
 */
export interface DkimKeyStore {
  /** Every key, sorted by domain, then selector. */
  list(): Promise<DkimKey[]>;
  /** The domain's keys, sorted by selector; empty for a domain without keys. */
  get(domain: string): Promise<DkimKey[]>;
  /** Creates or replaces the key with this domain and selector. */
  put(key: DkimKey): Promise<void>;
  /** Removes one selector's key; returns whether it existed. */
  remove(domain: string, selector: string): Promise<boolean>;
  /** Removes every key of the domain; returns how many there were. */
  removeDomain(domain: string): Promise<number>;
}

/**
 * Sorts keys by domain, then selector (byte order, as the other backends).
 *
 * @example
 * ```ts
 * import { compareDkimKeys, type DkimKey } from "@tollgate/tollgate/store";
 * const key = (domain: string, selector: string) => ({ domain, selector }) as DkimKey;
 * const keys = [key("b.example", "s1"), key("a.example", "s2"), key("a.example", "s1")];
 * console.log(keys.sort(compareDkimKeys).map((k) => `${k.domain}/${k.selector}`));
 * // ["a.example/s1", "a.example/s2", "b.example/s1"]
 * ```
 */
export function compareDkimKeys(a: DkimKey, b: DkimKey): number {
  const first = a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0;
  return first !== 0 ? first : a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0;
}

/**
 * DKIM keys kept in memory.
 *
 * @example
 * ```ts
 * import { MemoryDkimKeyStore } from "@tollgate/tollgate/store";
 * const keys = new MemoryDkimKeyStore();
 * console.log(await keys.removeDomain("domain.de")); // 0
 * ```
 */
export class MemoryDkimKeyStore implements DkimKeyStore {
  #keys = new Map<string, DkimKey>();

  /** Every key, sorted by domain, then selector. */
  list(): Promise<DkimKey[]> {
    return Promise.resolve(
      [...this.#keys.values()].map((key) => ({ ...key })).sort(compareDkimKeys),
    );
  }
  /** The domain's keys, sorted by selector. */
  async get(domain: string): Promise<DkimKey[]> {
    return (await this.list()).filter((key) => key.domain === domain);
  }
  /** Creates or replaces the key with this domain and selector. */
  put(key: DkimKey): Promise<void> {
    this.#keys.set(`${key.domain}\n${key.selector}`, { ...key });
    return Promise.resolve();
  }
  /** Removes one selector's key; returns whether it existed. */
  remove(domain: string, selector: string): Promise<boolean> {
    return Promise.resolve(this.#keys.delete(`${domain}\n${selector}`));
  }
  /** Removes every key of the domain; returns how many there were. */
  async removeDomain(domain: string): Promise<number> {
    const keys = await this.get(domain);
    for (const key of keys) this.#keys.delete(`${key.domain}\n${key.selector}`);
    return keys.length;
  }
}
