/**
 * Looking into a data folder: its files, and its stores opened the way a
 * restart opens them.
 *
 * @module
 */
import { openKvStores } from "../runtime/deno/kv_open.ts";
import type { Stores } from "../store/types.ts";

/**
 * Opens the KV stores in `dataDir` (`tollgate.kv`, bodies in `bodies/`) as a
 * (re)start does, which first deletes what a crash left unqueued; runs
 * `body`, closes them, and returns how many such leftovers were deleted.
 */
export async function withReopenedStores(
  dataDir: string,
  body: (stores: Stores) => Promise<void>,
): Promise<number> {
  const opened = await openKvStores(`${dataDir}/tollgate.kv`, { bodyDir: `${dataDir}/bodies` });
  try {
    await body(opened.stores);
  } finally {
    opened.close();
  }
  return opened.abandonedSpools;
}

/** Runs `body` with a fresh temp folder (named `prefix...`), removed afterwards. */
export async function withTempDir<T>(
  prefix: string,
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The names in `dir`, sorted; none if it does not exist. */
export async function fileNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}
