/**
 * Tollgate: an SMTP server and authenticated relay for Deno, re-creating
 * qmail with the SMTP AUTH patches as one modern program.
 *
 * This module is runtime-agnostic: it re-exports the parts of the core most
 * programs start from, and imports nothing that needs Deno or Node APIs, so it
 * runs in Node, Bun, a browser or an edge worker. The parts are published as
 * their own entry points:
 *
 * - `@tollgate/tollgate/smtp`: the SMTP server session (pure, no I/O).
 * - `@tollgate/tollgate/auth`: SASL mechanisms, password hashes, verifiers.
 * - `@tollgate/tollgate/relay`: the relay decision and rcpthosts matching.
 * - `@tollgate/tollgate/delivery`: routes, the delivery plan, retries, bounces.
 * - `@tollgate/tollgate/server`: the connection driver (one session per connection).
 * - `@tollgate/tollgate/store`: the storage interfaces and memory backends.
 * - `@tollgate/tollgate/admin`: the Hono admin API.
 * - `@tollgate/tollgate/deno`: the Deno adapters (listener, KV, worker) and
 *   `startTollgate`, the whole server; the only entry point that needs Deno.
 *
 * @example
 * ```ts
 * import { createMemoryStores, decideRecipient } from "@tollgate/tollgate";
 * const stores = createMemoryStores(() => Date.now());
 * await stores.domains.add("example.net");
 * console.log(decideRecipient({
 *   recipientDomain: "example.org", isLocalDomain: false, userExists: false,
 *   authenticated: false, clientTrusted: false,
 * })); // { kind: "relay-denied" }
 * ```
 *
 * @module
 */
export { ServerSession, type ServerSessionOptions, type SessionAction } from "./smtp/mod.ts";
export { type CredentialVerifier, UserStoreVerifier } from "./auth/mod.ts";
export { checkRecipient, decideRecipient, type RecipientVerdict } from "./relay/mod.ts";
export { createMemoryStores, type Stores } from "./store/mod.ts";
export { createAdminApp } from "./admin/mod.ts";
export { serveConnection } from "./server/mod.ts";
