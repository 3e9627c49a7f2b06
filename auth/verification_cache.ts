/**
 * A short-lived cache of successful password checks, as Dovecot's
 * `auth_cache`: a client that logs in again with the same user name and
 * password within the lifetime skips the hash (or the checker, or the trip
 * to Dovecot).
 *
 * No password is kept: an entry is found by HMAC-SHA-256 over user name and
 * password under a random key made for this process. Only acceptances of
 * PLAIN and LOGIN are cached; rejections, temporary failures and CRAM-MD5
 * (each challenge is new) always go to the backend. Time is passed in.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Credentials, CredentialVerifier, VerifyResult } from "./credentials.ts";
import type { UserStore } from "../store/types.ts";
import { encodeHex } from "./_encoding.ts";

/**
 * Options for {@linkcode VerificationCache}.
 *
 * @example
 * ```ts
 * import { VerificationCache, type VerificationCacheOptions } from "@tollgate/tollgate/auth";
 * const options: VerificationCacheOptions = {
 *   ttlMs: 60_000, key: crypto.getRandomValues(new Uint8Array(32)), maxEntries: 1000,
 * };
 * const cache = new VerificationCache(options);
 * console.log(options.ttlMs); // 60000
 * ```
 */
export interface VerificationCacheOptions {
  /** How long an acceptance is remembered, in ms; must be > 0. */
  ttlMs: number;
  /** The HMAC key: at least 16 random bytes, made once per process. */
  key: Uint8Array;
  /** The most entries kept; the oldest go first. Default 10,000. */
  maxEntries?: number;
}

interface Entry {
  user: string;
  expiresAt: number;
  /** The user record's stamp (its `updatedAt`) when the acceptance was made, if known. */
  stamp?: number;
}

const ENCODER = new TextEncoder();
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Remembers accepted PLAIN/LOGIN credentials for `ttlMs`.
 *
 * @example
 * ```ts
 * import { VerificationCache } from "@tollgate/tollgate/auth";
 * const cache = new VerificationCache({ ttlMs: 60_000, key: new Uint8Array(32) });
 * const login = {
 *   kind: "password", mechanism: "LOGIN", username: "test@domain.de", password: "testing",
 * } as const;
 * cache.remember(login, { kind: "accepted", user: "test@domain.de" }, 0);
 * console.log(cache.lookup(login, 59_999)); // { kind: "accepted", user: "test@domain.de" }
 * console.log(cache.lookup(login, 60_000)); // undefined
 * ```
 */
export class VerificationCache {
  #entries = new Map<string, Entry>();
  #ttlMs: number;
  #key: Uint8Array;
  #maxEntries: number;

  /** Throws a RangeError for a TTL or size below 1 or a key under 16 bytes. */
  constructor(options: VerificationCacheOptions) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!(options.ttlMs > 0) || !(maxEntries >= 1)) {
      throw new RangeError("Cannot create verification cache: ttlMs and maxEntries must be >= 1");
    }
    if (options.key.length < 16) {
      throw new RangeError("Cannot create verification cache: the key needs 16 bytes or more");
    }
    this.#ttlMs = options.ttlMs;
    this.#key = options.key.slice();
    this.#maxEntries = maxEntries;
  }

  /** How many entries are held (expired ones included until looked up or pushed out). */
  get size(): number {
    return this.#entries.size;
  }

  /** The remembered acceptance for these credentials, if it has not expired at `now`. */
  lookup(credentials: Credentials, now: number): VerifyResult | undefined {
    if (credentials.kind !== "password") return undefined;
    const key = this.#keyOf(credentials.username, credentials.password);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (now < entry.expiresAt) return { kind: "accepted", user: entry.user };
    this.#entries.delete(key);
    return undefined;
  }

  /**
   * Remembers `result` from `now` on if it is an acceptance of a password;
   * `stamp` is the user record's `updatedAt` read before the check, if any.
   */
  remember(credentials: Credentials, result: VerifyResult, now: number, stamp?: number): void {
    if (credentials.kind !== "password" || result.kind !== "accepted") return;
    const key = this.#keyOf(credentials.username, credentials.password);
    this.#entries.delete(key);
    this.#entries.set(key, { user: result.user, expiresAt: now + this.#ttlMs, stamp });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  /** The stamp remembered with these credentials' entry, if there is one with a stamp. */
  stampOf(credentials: Credentials): number | undefined {
    if (credentials.kind !== "password") return undefined;
    return this.#entries.get(this.#keyOf(credentials.username, credentials.password))?.stamp;
  }

  /** Drops the entry of these credentials, if there is one. */
  forget(credentials: Credentials): void {
    if (credentials.kind !== "password") return;
    this.#entries.delete(this.#keyOf(credentials.username, credentials.password));
  }

  /** Drops every entry that accepted `user` (its password changed or it was removed). */
  forgetUser(user: string): void {
    for (const [key, entry] of this.#entries) {
      if (entry.user === user) this.#entries.delete(key);
    }
  }

  #keyOf(username: string, password: string): string {
    const message = ENCODER.encode(`${username}\0${password}`);
    return encodeHex(hmac(sha256, this.#key, message));
  }
}

/**
 * A {@linkcode CredentialVerifier} that answers from a
 * {@linkcode VerificationCache} when it can and asks `inner` otherwise.
 *
 * @example
 * ```ts
 * import { CachingVerifier, VerificationCache } from "@tollgate/tollgate/auth";
 * let calls = 0;
 * const inner = {
 *   verify: () => (calls++, Promise.resolve({ kind: "accepted" as const, user: "a" })),
 * };
 * const cache = new VerificationCache({ ttlMs: 1000, key: new Uint8Array(16) });
 * const verifier = new CachingVerifier(inner, { cache, now: () => 0 });
 * const login = { kind: "password", mechanism: "PLAIN", username: "a", password: "b" } as const;
 * await verifier.verify(login);
 * await verifier.verify(login);
 * console.log(calls); // 1
 * ```
 */
export class CachingVerifier implements CredentialVerifier {
  #inner: CredentialVerifier;
  #cache: VerificationCache;
  #now: () => number;
  #stamp?: (user: string) => Promise<number | undefined>;

  /**
   * Caches `inner`'s acceptances in `cache`, timed by `now` (ms). With
   * `stamp` (the user record's `updatedAt`, read from a store every node
   * writes), a remembered acceptance is used only while the record is
   * unchanged: an admin change on any node ends it at the next login.
   */
  constructor(
    inner: CredentialVerifier,
    options: {
      cache: VerificationCache;
      now: () => number;
      stamp?: (user: string) => Promise<number | undefined>;
    },
  ) {
    this.#inner = inner;
    this.#cache = options.cache;
    this.#now = options.now;
    this.#stamp = options.stamp;
  }

  /** A remembered acceptance, or the inner verifier's answer (remembered if it accepts). */
  async verify(credentials: Credentials): Promise<VerifyResult> {
    const cached = this.#cache.lookup(credentials, this.#now());
    if (cached !== undefined && await this.#current(credentials, cached)) return cached;
    if (cached !== undefined) this.#cache.forget(credentials);
    const user = credentials.username.trim().toLowerCase();
    const before = this.#stamp && credentials.kind === "password"
      ? await this.#stamp(user)
      : undefined;
    const result = await this.#inner.verify(credentials);
    // The stamp was read for `user`: an acceptance of another name is not remembered.
    if (this.#stamp && result.kind === "accepted" && result.user !== user) return result;
    this.#cache.remember(credentials, result, this.#now(), before);
    return result;
  }

  async #current(credentials: Credentials, cached: VerifyResult): Promise<boolean> {
    if (this.#stamp === undefined || cached.kind !== "accepted") return true;
    return await this.#stamp(cached.user) === this.#cache.stampOf(credentials);
  }
}

/**
 * Wraps a {@linkcode UserStore} so that every `put` and `remove` drops the
 * user's cache entries: a changed or removed password stops working at once,
 * not when the entry expires. Give it to the admin API, not the verifier.
 *
 * @example
 * ```ts
 * import { forgetOnChange, VerificationCache } from "@tollgate/tollgate/auth";
 * import { MemoryUserStore } from "@tollgate/tollgate/store";
 * const cache = new VerificationCache({ ttlMs: 1000, key: new Uint8Array(16) });
 * const users = forgetOnChange(new MemoryUserStore(), cache);
 * await users.put({ address: "a@b.example", passwordHash: "$scrypt$...", updatedAt: 0 });
 * console.log(cache.size); // 0
 * ```
 */
export function forgetOnChange(users: UserStore, cache: VerificationCache): UserStore {
  return {
    get: (address) => users.get(address),
    list: (page) => users.list(page),
    async put(user) {
      await users.put(user);
      cache.forgetUser(user.address);
    },
    async remove(address) {
      const removed = await users.remove(address);
      cache.forgetUser(address);
      return removed;
    },
  };
}
