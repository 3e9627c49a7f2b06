/**
 * Just the part of Deno's `Kv` that Tollgate's KV backend calls, declared
 * structurally so that the same store classes run on Deno's built-in `openKv` and on
 * `@deno/kv` (the npm package that gives Node.js Deno's `Kv` API): both
 * satisfy {@linkcode Kv} without a cast. The KV files depend on these types,
 * never on the `Deno` namespace; the runtime opens the database.
 *
 * A port with Deno's generic `get<T>`/`getMany<T>`/`list<T>` rejects
 * `@deno/kv@0.14.0`'s `Kv` (TypeScript relates the two generic signatures as
 * `T | null` against `T`), and `@deno/kv`'s keys have no `symbol` part, so
 * the port is what both accept: reads are not generic and give {@linkcode KvRawEntry} (an `unknown`
 * value, the key as the database returns it), keys written have no `symbol`
 * part. The backend narrows what it reads with {@linkcode getEntry},
 * {@linkcode getEntries} and {@linkcode listEntries}: the one place that
 * asserts a key holds what the backend itself wrote there.
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
 * One part of a key (no `symbol`: `@deno/kv` has none, and Tollgate uses none).
 *
 * @example
 * ```ts
 * import type { KvKeyPart } from "@tollgate/tollgate/store/kv";
 * const parts: KvKeyPart[] = ["queue", 1n, 42, true, new Uint8Array([1])];
 * console.log(parts.length); // 5
 * ```
 */
export type KvKeyPart = Uint8Array | string | number | bigint | boolean;

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
 * A stored key and value as the database returns it: any value, any key parts.
 *
 * @example
 * ```ts
 * import type { KvRawEntry } from "@tollgate/tollgate/store/kv";
 * const raw: KvRawEntry = { key: ["domain", "example.net"], value: true, versionstamp: "01" };
 * console.log(typeof raw.value); // "boolean"
 * ```
 */
export interface KvRawEntry {
  /** The key (in Deno's `Kv`, parts may include a `symbol`). */
  key: readonly unknown[];
  /** The value. */
  value: unknown;
  /** The versionstamp of the write that stored it. */
  versionstamp: string;
}

/**
 * A raw read that may find nothing (then `value` and `versionstamp` are null).
 *
 * @example
 * ```ts
 * import type { KvRawEntryMaybe } from "@tollgate/tollgate/store/kv";
 * const none: KvRawEntryMaybe = { key: ["domain", "x"], value: null, versionstamp: null };
 * console.log(none.versionstamp); // null
 * ```
 */
export type KvRawEntryMaybe = KvRawEntry | {
  key: readonly unknown[];
  value: null;
  versionstamp: null;
};

/**
 * A stored key and value as the backend wrote them, with the versionstamp of its last write.
 *
 * @example
 * ```ts
 * import type { KvEntry } from "@tollgate/tollgate/store/kv";
 * const entry: KvEntry<number> = { key: ["count"], value: 3, versionstamp: "00000000000000010000" };
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
 * import type { KvEntryMaybe } from "@tollgate/tollgate/store/kv";
 * const entry: KvEntryMaybe<string> = { key: ["missing"], value: null, versionstamp: null };
 * console.log(entry.value, entry.versionstamp); // null null
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
 * import { openKv } from "@deno/kv";
 * import type { Kv, KvCommitResult } from "@tollgate/tollgate/store/kv";
 * const kv: Kv = await openKv(":memory:");
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
 * import { openKv } from "@deno/kv";
 * import type { Kv, KvAtomic } from "@tollgate/tollgate/store/kv";
 * const kv: Kv = await openKv(":memory:");
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
  /**
   * Adds `n` (0 to 2^64 - 1) to the 64-bit unsigned counter at `key` (absent
   * counts as 0), wrapping modulo 2^64: adding 2^64 - 1 subtracts 1.
   */
  sum(key: KvKey, n: bigint): this;
  /** Commits: `{ ok: false }` if a check failed. */
  commit(): Promise<KvCommitResult>;
}

/**
 * Which keys a list reads: a prefix, optionally from `start` or up to `end`.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import type { Kv, KvListSelector } from "@tollgate/tollgate/store/kv";
 * const kv: Kv = await openKv(":memory:");
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
 * import { openKv } from "@deno/kv";
 * import type { Kv, KvListOptions } from "@tollgate/tollgate/store/kv";
 * const kv: Kv = await openKv(":memory:");
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
 * import { openKv } from "@deno/kv";
 * import type { Kv } from "./kv_port.ts";
 * const kv: Kv = await openKv(":memory:");
 * await kv.set(["domain", "domain.de"], true);
 * console.log((await kv.get(["domain", "domain.de"])).value); // true
 * kv.close();
 * ```
 */
export interface Kv {
  /** Reads one key. */
  get(key: KvKey): Promise<KvRawEntryMaybe>;
  /** Reads several keys at once (at most 10), in order. */
  getMany(keys: readonly KvKey[]): Promise<readonly KvRawEntryMaybe[]>;
  /** Writes one key. */
  set(key: KvKey, value: unknown): Promise<{ ok: true; versionstamp: string }>;
  /** Deletes one key. */
  delete(key: KvKey): Promise<void>;
  /** Reads keys in order. */
  list(selector: KvListSelector, options?: KvListOptions): AsyncIterable<KvRawEntry>;
  /** Starts an atomic operation. */
  atomic(): KvAtomic;
  /** Closes the database. */
  close(): void;
}

/**
 * Reads one key the backend wrote with values of type `T` (the narrowing of
 * {@linkcode Kv.get}: the key's parts and value are what was written there).
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { getEntry } from "./kv_port.ts";
 * const kv = await openKv(":memory:");
 * await kv.set(["domain", "domain.de"], true);
 * console.log((await getEntry<boolean>(kv, ["domain", "domain.de"])).value); // true
 * kv.close();
 * ```
 */
export async function getEntry<T>(kv: Kv, key: KvKey): Promise<KvEntryMaybe<T>> {
  return await kv.get(key) as KvEntryMaybe<T>;
}

/**
 * Reads several keys the backend wrote with values of type `T`, in order (at most 10).
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { getEntries } from "./kv_port.ts";
 * const kv = await openKv(":memory:");
 * await kv.set(["n", 1], 10);
 * const [one, two] = await getEntries<number>(kv, [["n", 1], ["n", 2]]);
 * console.log(one.value, two.value); // 10 null
 * kv.close();
 * ```
 */
export async function getEntries<T>(
  kv: Kv,
  keys: readonly KvKey[],
): Promise<KvEntryMaybe<T>[]> {
  return [...await kv.getMany(keys)] as KvEntryMaybe<T>[];
}

/**
 * Lists keys the backend wrote with values of type `T`, in key order.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { listEntries } from "./kv_port.ts";
 * const kv = await openKv(":memory:");
 * await kv.set(["n", 1], 10);
 * for await (const entry of listEntries<number>(kv, { prefix: ["n"] })) {
 *   console.log(entry.key, entry.value); // ["n", 1] 10
 * }
 * kv.close();
 * ```
 */
export function listEntries<T>(
  kv: Kv,
  selector: KvListSelector,
  options?: KvListOptions,
): AsyncIterable<KvEntry<T>> {
  return kv.list(selector, options) as AsyncIterable<KvEntry<T>>;
}
