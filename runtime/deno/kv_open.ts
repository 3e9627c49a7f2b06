/**
 * Opens Tollgate's stores on a Deno KV file with Deno's own `Deno.openKv`
 * and files (`kv_backend.ts` does the rest).
 *
 * @module
 */
import { dirname } from "node:path";
import {
  type KvBackendOptions,
  type OpenedKvStores,
  openKvBackend,
} from "../../store/kv/kv_backend.ts";
import { denoFiles } from "./files.ts";

/**
 * Opens (creating if needed, with its folder) the KV database at `path`, or
 * an in-memory one for `":memory:"`, deletes spools abandoned by a crash, and
 * returns every store on it.
 *
 * @example
 * ```ts
 * import { openKvStores } from "@tollgate/tollgate/deno";
 * const { stores, close } = await openKvStores(":memory:");
 * await stores.domains.add("example.net");
 * console.log(await stores.domains.has("example.net")); // true
 * close();
 * ```
 */
export async function openKvStores(
  path: string,
  options: KvBackendOptions = {},
): Promise<OpenedKvStores> {
  if (path !== ":memory:") await Deno.mkdir(dirname(path), { recursive: true });
  return await openKvBackend(await Deno.openKv(path), denoFiles, options);
}
