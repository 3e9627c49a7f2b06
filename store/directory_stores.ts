/**
 * Who and what the server serves: local domains (`rcpthosts`), users, and the
 * client networks that may relay.
 *
 * @module
 */
import type { Page, PageRequest } from "./page.ts";

/**
 * The domains this server receives mail for (qmail's `rcpthosts`).
 *
 * Entries are lower-case: `example.com` names that domain, `.example.com`
 * every subdomain of it (qmail's matching; see `relay/local_domains.ts`).
 *
 * @example
 * ```ts
 * import { MemoryDomainStore } from "@tollgate/tollgate/store";
 * const domains = new MemoryDomainStore();
 * await domains.add("example.net");
 * console.log(await domains.list()); // ["example.net"]
 * ```
 */
export interface DomainStore {
  /** Every entry, sorted. */
  list(): Promise<string[]>;
  /** Whether this exact entry exists. */
  has(domain: string): Promise<boolean>;
  /** Adds an entry; adding one that exists is not an error. */
  add(domain: string): Promise<void>;
  /** Removes an entry; returns whether it existed. */
  remove(domain: string): Promise<boolean>;
}

/**
 * A mailbox user: its address (the SMTP AUTH user name) and its secrets.
 *
 * Secrets never leave the store through the admin API or a log line.
 *
 * @example
 * ```ts
 * import type { UserRecord } from "@tollgate/tollgate/store";
 * const user: UserRecord = {
 *   address: "test@domain.de", passwordHash: "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA", updatedAt: 0,
 * };
 * console.log(user.address); // "test@domain.de"
 * ```
 */
export interface UserRecord {
  /** The address, lower-case: `test@domain.de`. */
  address: string;
  /** A PHC string (`$scrypt$ln=15,r=8,p=1$salt$hash`); see `auth/password_hash.ts`. */
  passwordHash: string;
  /**
   * Dovecot's `{CRAM-MD5}` secret (precomputed HMAC-MD5 contexts, hex), kept
   * only while CRAM-MD5 is enabled; see `auth/cram_md5_secret.ts`.
   */
  cramMd5Secret?: string;
  /** When the user was created or its password last set (ms since epoch). */
  updatedAt: number;
}

/**
 * Users and their password hashes.
 *
 * @example
 * ```ts
 * import { MemoryUserStore } from "@tollgate/tollgate/store";
 * const users = new MemoryUserStore();
 * await users.put({ address: "test@domain.de", passwordHash: "$scrypt$...", updatedAt: 0 });
 * console.log((await users.get("test@domain.de"))?.address); // "test@domain.de"
 * ```
 */
export interface UserStore {
  /** The user with this exact (lower-case) address, or undefined. */
  get(address: string): Promise<UserRecord | undefined>;
  /** Creates or replaces the user. */
  put(user: UserRecord): Promise<void>;
  /** Removes the user; returns whether it existed. */
  remove(address: string): Promise<boolean>;
  /** A page of users sorted by address. */
  list(page: PageRequest): Promise<Page<UserRecord>>;
}

/**
 * Client networks that may relay without AUTH (qmail's `RELAYCLIENT`).
 *
 * Entries are normalised CIDR strings (`192.0.2.0/24`, `2001:db8::/32`).
 *
 * @example
 * ```ts
 * import { MemoryNetworkStore } from "@tollgate/tollgate/store";
 * const networks = new MemoryNetworkStore();
 * await networks.add("192.0.2.0/24");
 * console.log(await networks.list()); // ["192.0.2.0/24"]
 * ```
 */
export interface NetworkStore {
  /** Every entry, sorted. */
  list(): Promise<string[]>;
  /** Adds an entry; adding one that exists is not an error. */
  add(cidr: string): Promise<void>;
  /** Removes an entry; returns whether it existed. */
  remove(cidr: string): Promise<boolean>;
}
