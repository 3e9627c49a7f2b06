/**
 * The admin API: a Hono app over the same stores the SMTP side reads, so
 * changes to domains, users and relay networks take effect immediately.
 *
 * ```ts
 * import { createAdminApp } from "@tollgate/tollgate/admin";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const app = createAdminApp({
 *   stores: createMemoryStores(() => 0),
 *   token: "a-long-random-admin-token",
 *   setPassword: (password) => Promise.resolve({ passwordHash: `$example$${password.length}` }),
 *   now: () => 0,
 * });
 * console.log((await app.request("/healthz")).status); // 200
 * ```
 *
 * @module
 */

export * from "./app.ts";
export * from "./deps.ts";
export * from "./user_address.ts";
export * from "./audit_log_line.ts";
