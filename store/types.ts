/**
 * The narrow storage interfaces that Tollgate's core depends on, one file per
 * concern and all of them here: pages (`page.ts`), domains, users and relay
 * networks (`directory_stores.ts`), the queue (`message_queue.ts`), delivery
 * state (`delivery_state.ts`) and leases (`delivery_leases.ts`), outbound routes
 * (`route_store.ts`), and the {@linkcode Stores} bundle.
 *
 * Every backend (the in-memory one in `store/memory/`, Deno KV in `store/kv/`,
 * PostgreSQL in `store/postgres/`) implements these and passes the one contract
 * suite in `tests/store_contract.ts`. Keep them small: each method is one
 * thing a caller needs, nothing a backend happens to be able to do.
 *
 * @module
 */

import type { DkimKeyStore } from "./dkim_keys.ts";
import type { LoginAttemptStore } from "./login_attempts.ts";
import type { SenderStore } from "./senders.ts";
import type { DomainStore, NetworkStore, UserStore } from "./directory_stores.ts";
import type { MessageQueue } from "./message_queue.ts";
import type { RouteStore } from "./route_store.ts";

export type * from "./page.ts";
export type * from "./directory_stores.ts";
export type * from "./delivery_state.ts";
export type * from "./message_queue.ts";
export type * from "./delivery_leases.ts";
export type * from "./route_store.ts";

/**
 * Every store a Tollgate server needs, as one bundle to inject.
 *
 * @example
 * ```ts
 * import { createMemoryStores, type Stores } from "@tollgate/tollgate/store";
 * const stores: Stores = createMemoryStores(Date.now);
 * await stores.domains.add("domain.de");
 * console.log(await stores.domains.list()); // ["domain.de"]
 * ```
 */
export interface Stores {
  /** Local domains (rcpthosts). */
  domains: DomainStore;
  /** Users and password hashes. */
  users: UserStore;
  /** Networks that may relay without AUTH. */
  networks: NetworkStore;
  /** The mail queue. */
  queue: MessageQueue;
  /** Outbound routes. */
  routes: RouteStore;
  /** Envelope senders granted to users besides their own address. */
  senders: SenderStore;
  /** DKIM signing keys per domain. */
  dkim: DkimKeyStore;
  /**
   * Failed logins and bans shared by every node on this store; absent on a
   * single-node backend, whose login limiter keeps them in memory.
   */
  loginAttempts?: LoginAttemptStore;
}
