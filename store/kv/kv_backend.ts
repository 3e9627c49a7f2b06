/**
 * Opening Tollgate's stores on an open Deno KV database: the clean-up after
 * a crash (spools, body files and body log segments left behind), then
 * every store. The runtime gives the database and the files
 * (`openKvStores` on Deno).
 *
 * @module
 */
import type { FilePort } from "../file_port.ts";
import type { QueueIdGeneratorOptions } from "../queue_id.ts";
import type { Stores } from "../types.ts";
import { BodyFiles } from "./body_files.ts";
import { BodyLog } from "./body_log.ts";
import { type QueueEntry, queueKey } from "./kv_keys.ts";
import { getEntry, type Kv, listEntries } from "./kv_port.ts";
import { deleteAbandonedSpools } from "./kv_spool.ts";
import { createKvStores } from "./kv_stores.ts";

/**
 * Options for {@linkcode openKvBackend}.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { type KvBackendOptions, openKvBackend } from "@tollgate/tollgate/store/kv";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const options: KvBackendOptions = { now: Date.now, bodyDir: "./data/bodies" };
 * const { stores, close } = await openKvBackend(await openKv(":memory:"), denoFiles, options);
 * console.log(await stores.domains.has("example.net")); // false
 * close();
 * ```
 */
export interface KvBackendOptions extends QueueIdGeneratorOptions {
  /** The clock for queue ids and spool markers (ms since epoch); defaults to `Date.now`. */
  now?: () => number;
  /**
   * A folder for bodies larger than one 60 KiB chunk: the body log in `log/`
   * (`body_log.ts`) and the bodies of deferred messages (`body_files.ts`);
   * without it, KV chunks.
   */
  bodyDir?: string;
}

/**
 * What {@linkcode openKvBackend} returns.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { type OpenedKvStores, openKvBackend } from "@tollgate/tollgate/store/kv";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const opened: OpenedKvStores = await openKvBackend(await openKv(":memory:"), denoFiles);
 * console.log(opened.abandonedSpools); // 0
 * opened.close();
 * ```
 */
export interface OpenedKvStores {
  /** Every store, on the one KV database. */
  stores: Stores;
  /** How many spools, body files and log segments a crash had left (now deleted): worth a log line. */
  abandonedSpools: number;
  /** Closes the database; the stores are unusable afterwards. */
  close(): void;
}

/**
 * Deletes what a crash left in `kv` and in `options.bodyDir` (through
 * `files`), and returns every store on `kv`; closes `kv` if that fails.
 * Call it before anything writes: a spool being written looks the same.
 *
 * @example
 * ```ts
 * import { openKv } from "@deno/kv";
 * import { openKvBackend } from "@tollgate/tollgate/store/kv";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const { stores, close } = await openKvBackend(await openKv(":memory:"), denoFiles);
 * await stores.domains.add("example.net");
 * console.log(await stores.domains.has("example.net")); // true
 * close();
 * ```
 */
export async function openKvBackend(
  kv: Kv,
  files: FilePort,
  options: KvBackendOptions = {},
): Promise<OpenedKvStores> {
  const bodies = options.bodyDir === undefined ? undefined : new BodyFiles(files, options.bodyDir);
  let abandonedSpools: number;
  let log: BodyLog | undefined;
  try {
    abandonedSpools = await deleteAbandonedSpools(kv);
    const hasBodyFile = async (id: string) =>
      (await getEntry<QueueEntry>(kv, queueKey(id))).value?.bodyFile === true;
    abandonedSpools += await bodies?.removeOrphans(hasBodyFile) ?? 0;
    if (options.bodyDir !== undefined) {
      const opened = await BodyLog.open(
        files,
        `${options.bodyDir}/log`,
        await bodyLogReferences(kv),
      );
      log = opened.log;
      abandonedSpools += opened.removed;
    }
  } catch (error) {
    kv.close();
    throw error;
  }
  return {
    stores: createKvStores(kv, options.now ?? Date.now, { ...options, bodies, log }),
    abandonedSpools,
    close: () => {
      log?.close();
      bodies?.close();
      kv.close();
    },
  };
}

/** How many pieces of queued bodies each body log segment holds (a scan of the queue). */
async function bodyLogReferences(kv: Kv): Promise<Map<string, number>> {
  const references = new Map<string, number>();
  for await (
    const entry of listEntries<QueueEntry>(kv, { prefix: ["queue"] }, { batchSize: 500 })
  ) {
    const body = entry.value.bodyLog;
    for (let at = 0; body && at < body.extents.length; at += 3) {
      const name = body.segments[body.extents[at]];
      references.set(name, (references.get(name) ?? 0) + 1);
    }
  }
  return references;
}
