/**
 * Just the part of `Deno.Kv` that Tollgate's KV backend calls, declared
 * structurally so that the same store classes run on `Deno.openKv` and on
 * `@deno/kv` (the npm package that gives Node.js the `Deno.Kv` API): both
 * satisfy {@linkcode Kv}. The KV files depend on these types, never on the
 * `Deno` namespace; only {@linkcode openKvStores} in `kv_stores.ts` opens a
 * database.
 *
 * Data files are not shared between runtimes: a file written by Deno 2.9 is
 * not readable by `@deno/kv` on Node.js 20 (V8 serialisation 0x10 vs 0x0f).
 * To move to the other runtime, let the queue drain, then re-create
 * the data through the admin API on a fresh database there (users and routes
 * import in bulk; domains and networks are a few calls).
 *
 * @module
 */

/**
 * One part of a key.
 *
 * @example
 * ```ts
 * import type { KvKeyPart } from "@tollgate/tollgate/store/kv";
 * const parts: KvKeyPart[] = ["queue", 1n, 42, true, new Uint8Array([1])];
 * console.log(parts.length); // 5
 * ```
 */
export type KvKeyPart = Uint8Array | string | number | bigint | boolean | symbol;

/**
 * A key: parts in order, compared part by part.
 *
 * @example
 * ```ts
 * import type { KvKey } from "@tollgate/tollgate/store/kv";
 * const key: KvKey = ["domains", "example.net"];
 * console.log(key[0]); // "domains"
 * ```
 */
export type KvKey = readonly KvKeyPart[];

/**
 * A stored key and value, with the versionstamp of its last write.
 *
 * @example
 * ```ts
 * import type { KvEntry } from "@tollgate/tollgate/store/kv";
 * const entry: KvEntry<number> = {
 *   key: ["count"], value: 3, versionstamp: "00000000000000010000",
 * };
 * console.log(entry.value); // 3
 * ```
 */
export interface KvEntry<T> {
  /** The key. */
  key: KvKey;
  /** The value. */
  value: T;
  /** The versionstamp of the write that stored it. */
  versionstamp: string;
}

/**
 * A read that may find nothing (then `value` and `versionstamp` are null).
 *
 * @example
 * ```ts
 * import type { Kv, KvEntryMaybe } from "@tollgate/tollgate/store/kv";
 * const kv: Kv = await Deno.openKv(":memory:");
 * const entry: KvEntryMaybe<string> = await kv.get<string>(["missing"]);
 * console.log(entry.value, entry.versionstamp); // null null
 * kv.close();
 * ```
 */
export type KvEntryMaybe<T> = KvEntry<T> | { key: KvKey; value: null; versionstamp: null };

/**
 * A condition of an atomic operation: `key` still has `versionstamp` (null: absent).
 *
 * @example
 * ```ts
 * import type { AtomicCheck } from "@tollgate/tollgate/store/kv";
 * const absent: AtomicCheck = { key: ["domains", "example.net"], versionstamp: null };
 * console.log(absent.versionstamp === null ? "must not exist" : "unchanged"); // "must not exist"
 * ```
 */
export interface AtomicCheck {
  /** The key to check. */
  key: KvKey;
  /** The versionstamp it must have, or null if it must be absent. */
  versionstamp: string | null;
}

/**
 * A write in an atomic operation: set a value or delete a key.
 *
 * @example
 * ```ts
 * import type { KvMutation } from "@tollgate/tollgate/store/kv";
 * const mutations: KvMutation[] = [
 *   { type: "set", key: ["domains", "example.net"], value: true },
 *   { type: "delete", key: ["domains", "example.org"] },
 * ];
 * console.log(mutations.map((m) => m.type)); // ["set", "delete"]
 * ```
 */
export type KvMutation =
  | { type: "set"; key: KvKey; value: unknown }
  | { type: "delete"; key: KvKey };

/**
 * An atomic operation's outcome: committed, or a check failed.
 *
 * @example
 * ```ts
 * import type { Kv, KvCommitResult } from "@tollgate/tollgate/store/kv";
 * const kv: Kv = await Deno.openKv(":memory:");
 * const result: KvCommitResult = await kv.atomic().set(["a"], 1).commit();
 * console.log(result.ok); // true
 * kv.close();
 * ```
 */
export type KvCommitResult = { ok: true; versionstamp: string } | { ok: false };

/**
 * Checks and mutations that commit together or not at all.
 *
 * @example
 * ```ts
 * import type { Kv, KvAtomic } from "@tollgate/tollgate/store/kv";
 * const kv: Kv = await Deno.openKv(":memory:");
 * const addOnce = (): KvAtomic =>
 *   kv.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 1);
 * console.log((await addOnce().commit()).ok, (await addOnce().commit()).ok); // true false
 * kv.close();
 * ```
 */
export interface KvAtomic {
  /** Adds conditions. */
  check(...checks: AtomicCheck[]): this;
  /** Adds mutations. */
  mutate(...mutations: KvMutation[]): this;
  /** Sets a key. */
  set(key: KvKey, value: unknown): this;
  /** Deletes a key. */
  delete(key: KvKey): this;
  /** Commits: `{ ok: false }` if a check failed. */
  commit(): Promise<KvCommitResult>;
}

/**
 * Which keys a list reads: a prefix, optionally from `start` or up to `end`.
 *
 * @example
 * ```ts
 * import type { Kv, KvListSelector } from "@tollgate/tollgate/store/kv";
 * const kv: Kv = await Deno.openKv(":memory:");
 * await kv.atomic().set(["d", "a"], 1).set(["d", "b"], 2).commit();
 * const selector: KvListSelector = { prefix: ["d"], start: ["d", "b"] };
 * for await (const entry of kv.list(selector)) console.log(entry.key); // ["d", "b"]
 * kv.close();
 * ```
 */
export type KvListSelector =
  | { prefix: KvKey }
  | { prefix: KvKey; start: KvKey }
  | { prefix: KvKey; end: KvKey };

/**
 * How a list reads.
 *
 * @example
 * ```ts
 * import type { Kv, KvListOptions } from "@tollgate/tollgate/store/kv";
 * const kv: Kv = await Deno.openKv(":memory:");
 * await kv.atomic().set(["d", "a"], 1).set(["d", "b"], 2).commit();
 * const options: KvListOptions = { limit: 1, batchSize: 100 };
 * for await (const entry of kv.list({ prefix: ["d"] }, options)) {
 *   console.log(entry.key); // ["d", "a"]
 * }
 * kv.close();
 * ```
 */
export interface KvListOptions {
  /** The most entries to return. */
  limit?: number;
  /** Entries fetched per round trip. */
  batchSize?: number;
}

/**
 * The KV database, as much of it as Tollgate uses.
 *
 * @example
 * ```ts
 * import type { Kv } from "./kv_port.ts";
 * const kv: Kv = await Deno.openKv(":memory:");
 * await kv.set(["domain", "domain.de"], true);
 * console.log((await kv.get(["domain", "domain.de"])).value); // true
 * kv.close();
 * ```
 */
export interface Kv {
  /** Reads one key. */
  get<T = unknown>(key: KvKey): Promise<KvEntryMaybe<T>>;
  /** Reads several keys at once (at most 10). */
  getMany<T extends readonly unknown[]>(
    keys: readonly [...{ [K in keyof T]: KvKey }],
  ): Promise<{ [K in keyof T]: KvEntryMaybe<T[K]> }>;
  /** Writes one key. */
  set(key: KvKey, value: unknown): Promise<{ ok: true; versionstamp: string }>;
  /** Deletes one key. */
  delete(key: KvKey): Promise<void>;
  /** Reads keys in order. */
  list<T = unknown>(selector: KvListSelector, options?: KvListOptions): AsyncIterable<KvEntry<T>>;
  /** Starts an atomic operation. */
  atomic(): KvAtomic;
  /** Closes the database. */
  close(): void;
}
