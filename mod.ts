/**
 * Tollgate: an SMTP server and authenticated relay for Deno, re-creating
 * qmail with the SMTP AUTH patches as one modern program.
 *
 * The parts are published as their own entry points; this module re-exports
 * the ones most programs start from:
 *
 * - `@tollgate/tollgate/smtp`: the SMTP server session (pure, no I/O).
 * - `@tollgate/tollgate/auth`: SASL mechanisms, password hashes, verifiers.
 * - `@tollgate/tollgate/relay`: the relay decision and rcpthosts matching.
 * - `@tollgate/tollgate/delivery`: routes, the delivery plan, retries, bounces.
 * - `@tollgate/tollgate/server`: the connection driver (one session per connection).
 * - `@tollgate/tollgate/store`: the storage interfaces and memory backends.
 * - `@tollgate/tollgate/admin`: the Hono admin API.
 * - `@tollgate/tollgate/deno`: the Deno adapters (listener, KV, worker, entry point).
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
export { parseConfig, startTollgate } from "./runtime/deno/mod.ts";
