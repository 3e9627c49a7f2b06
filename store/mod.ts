/**
 * Storage for Tollgate: the narrow interfaces the core depends on, the
 * in-memory backend, and the queue id scheme every backend shares. The Deno
 * KV backend lives in `@tollgate/tollgate/deno`.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(() => Date.now());
 * await stores.users.put({ address: "test@domain.de", passwordHash: "$scrypt$...", updatedAt: 0 });
 * console.log((await stores.users.get("test@domain.de"))?.address); // "test@domain.de"
 * ```
 *
 * @module
 */
export type * from "./types.ts";
export * from "./memory/stores.ts";
export * from "./memory/login_attempts.ts";
export type * from "./login_attempts.ts";
export * from "./queue_id.ts";
export * from "./read_cache.ts";
export * from "./senders.ts";
export * from "./dkim_keys.ts";
export type * from "./file_port.ts";
export * from "./delivery_records.ts";
export * from "./queue_hold.ts";
export * from "./paging.ts";
export * from "./migrate.ts";
export * from "./records.ts";
export * from "./route_record.ts";
