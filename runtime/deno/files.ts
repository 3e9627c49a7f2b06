/**
 * The {@linkcode FilePort} on `Deno.*` files, for the KV backend's body
 * files and body log.
 *
 * @module
 */
import type { FilePort, OpenFile } from "../../store/file_port.ts";

/**
 * Deno's files.
 *
 * @example
 * ```ts
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const dir = await Deno.makeTempDir();
 * const file = await denoFiles.create(`${dir}/a`);
 * await file.write(new Uint8Array(3));
 * await file.syncData();
 * file.close();
 * await denoFiles.remove(`${dir}/a`);
 * await Deno.remove(dir);
 * ```
 */
export const denoFiles: FilePort = {
  mkdir: (path) => Deno.mkdir(path, { recursive: true }),
  create: async (path) => openFile(await Deno.open(path, { createNew: true, write: true })),
  open: async (path) => openFile(await Deno.open(path, { read: true })),
  remove: (path) => Deno.remove(path),
  readDir: (path) => Deno.readDir(path),
  isNotFound: (error) => error instanceof Deno.errors.NotFound,
};

function openFile(file: Deno.FsFile): OpenFile {
  return {
    write: (bytes) => file.write(bytes),
    read: (buffer) => file.read(buffer),
    seekTo: async (offset) => void await file.seek(offset, Deno.SeekMode.Start),
    syncData: () => file.syncData(),
    sync: () => file.sync(),
    close: () => file.close(),
  };
}
