/**
 * The Deno KV backend: every store of `Stores` on one Deno KV database (the
 * embedded default for one machine), with the spool, the body log and body
 * files. It calls no runtime itself: hand it an open database of the `Kv`
 * shape (Deno's built-in `openKv`, or `@deno/kv` elsewhere) and a `FilePort` (from
 * `@tollgate/tollgate/store`) for body files. On Deno, `openKvStores` in
 * `@tollgate/tollgate/deno` does both.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { createKvStores } from "@tollgate/tollgate/store/kv";
 * const kv = await openKv(":memory:");
 * const stores = createKvStores(kv, Date.now);
 * await stores.domains.add("example.net");
 * console.log(await stores.domains.list()); // ["example.net"]
 * kv.close();
 * ```
 *
 * @module
 */
export { KvMessageQueue, type KvMessageQueueOptions } from "./kv_queue.ts";
export type {
  AtomicCheck,
  Kv,
  KvAtomic,
  KvCommitResult,
  KvEntry,
  KvEntryMaybe,
  KvKey,
  KvKeyPart,
  KvListOptions,
  KvListSelector,
  KvMutation,
  KvRawEntry,
  KvRawEntryMaybe,
} from "./kv_port.ts";
export {
  createKvStores,
  KvDomainStore,
  KvEntrySet,
  KvNetworkStore,
  KvRouteStore,
  KvUserStore,
} from "./kv_stores.ts";
export { KvSenderStore } from "./kv_senders.ts";
export { KvDkimKeyStore } from "./kv_dkim_keys.ts";
export { KvLoginAttemptStore } from "./kv_login_attempts.ts";
export { type KvBackendOptions, type OpenedKvStores, openKvBackend } from "./kv_backend.ts";
export { BodyFile, BodyFiles } from "./body_files.ts";
export {
  type BodyExtents,
  BodyLog,
  type BodyLogOptions,
  type BodyLogWriter,
  type OpenedBodyLog,
} from "./body_log.ts";
export { GroupSync } from "./group_sync.ts";
