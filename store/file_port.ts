/**
 * The files a store backend writes bodies to, as an interface with only
 * what the body files and the body log call ({@linkcode FilePort}); the
 * Deno one is `denoFiles` in `runtime/deno/files.ts`.
 *
 * @module
 */

/**
 * An open file: appended to, or read from an offset.
 *
 * @example
 * ```ts
 * import type { OpenFile } from "@tollgate/tollgate/store";
 * async function appendAll(file: OpenFile, bytes: Uint8Array): Promise<void> {
 *   for (let written = 0; written < bytes.length;) {
 *     written += await file.write(bytes.subarray(written));
 *   }
 * }
 * console.log(typeof appendAll); // "function"
 * ```
 */
export interface OpenFile {
  /** Writes some of `bytes` at the end; resolves with how many. */
  write(bytes: Uint8Array): Promise<number>;
  /** Reads into `buffer` from the current position; `null` at the end. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Moves the read position to `offset` bytes from the start. */
  seekTo(offset: number): Promise<void>;
  /** Makes the file's bytes durable (fdatasync). */
  syncData(): Promise<void>;
  /** Makes the file (or folder) durable with its metadata (fsync). */
  sync(): Promise<void>;
  /** Closes the file. */
  close(): void;
}

/**
 * File system operations on paths (`/`-separated).
 *
 * @example
 * ```ts
 * import type { FilePort } from "@tollgate/tollgate/store";
 * async function names(files: FilePort, dir: string): Promise<string[]> {
 *   const found: string[] = [];
 *   for await (const entry of files.readDir(dir)) if (entry.isFile) found.push(entry.name);
 *   return found;
 * }
 * console.log(typeof names); // "function"
 * ```
 */
export interface FilePort {
  /** Makes a folder and its parents; an existing one is fine. */
  mkdir(path: string): Promise<void>;
  /** Creates a new file for appending; rejects if it exists. */
  create(path: string): Promise<OpenFile>;
  /** Opens a file (or a folder, for `sync`) for reading. */
  open(path: string): Promise<OpenFile>;
  /** Deletes a file. */
  remove(path: string): Promise<void>;
  /** The entries of a folder. */
  readDir(path: string): AsyncIterable<{ name: string; isFile: boolean }>;
  /** Whether `error` (from any of these) means the path does not exist. */
  isNotFound(error: unknown): boolean;
}
