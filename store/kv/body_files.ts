/**
 * Bodies of deferred messages larger than one spool chunk, one file each
 * (`<dir>/<id>`).
 *
 * New bodies over one chunk go to the body log (`body_log.ts`), where many
 * bodies share a segment file. A message that waits for a retry would keep
 * its segment, and the delivered mail around it, on disk for days, so its
 * body moves here when it is first deferred (`KvMessageQueue.update`).
 *
 * A body file is durable before the queue entry that names it is
 * committed, and removed after the entry is; a crash in between leaves a
 * file no entry names, which {@linkcode BodyFiles.removeOrphans} deletes at
 * the next open.
 *
 * @module
 */

import type { FilePort, OpenFile } from "../file_port.ts";
import { GroupSync } from "./group_sync.ts";

/** How much of a body file one read returns. */
const READ_SIZE = 64 * 1024;

/**
 * The folder of body files.
 *
 * @example
 * ```ts
 * import type { FilePort } from "../file_port.ts";
 * import { BodyFiles } from "./body_files.ts";
 * declare const files: FilePort; // the runtime's files, e.g. `denoFiles` from "@tollgate/tollgate/deno"
 * const bodies = new BodyFiles(files, "/var/lib/tollgate/bodies");
 * const file = await bodies.create("018c2f5a1b0000000000");
 * await file.append(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await file.finish(); // durable, closed
 * for await (const piece of bodies.read("018c2f5a1b0000000000")) console.log(piece.length); // 22
 * await bodies.remove("018c2f5a1b0000000000");
 * bodies.close();
 * ```
 */
export class BodyFiles {
  /** The folder; made on first use. */
  readonly dir: string;
  readonly #files: FilePort;
  #made: Promise<void> | undefined;
  #folder: FolderSync;

  /** Keeps bodies in `dir`, through `files`. */
  constructor(files: FilePort, dir: string) {
    this.dir = dir;
    this.#files = files;
    this.#folder = new FolderSync(files, dir);
  }

  /** A new, empty body file for `id`; rejects if one exists (the id is taken). */
  async create(id: string): Promise<BodyFile> {
    await (this.#made ??= this.#files.mkdir(this.dir));
    const path = this.#path(id);
    const file = await this.#files.create(path);
    return new BodyFile(file, () => this.#remove(path), this.#folder);
  }

  /** Closes the folder handle kept for fsyncs; files being written stay open. */
  close(): void {
    this.#folder.close();
  }

  /** The body of `id` in pieces of up to 64 KiB; rejects if the file is gone. */
  async *read(id: string): AsyncIterable<Uint8Array> {
    let file: OpenFile;
    try {
      file = await this.#files.open(this.#path(id));
    } catch (error) {
      if (!this.#files.isNotFound(error)) throw error;
      throw new Error(`Cannot read message body: the body file of ${id} is gone (removed?)`);
    }
    try {
      while (true) {
        const buffer = new Uint8Array(READ_SIZE);
        const count = await file.read(buffer);
        if (count === null) return;
        yield buffer.subarray(0, count);
      }
    } finally {
      file.close();
    }
  }

  /** Deletes the body file of `id`, if there is one. */
  remove(id: string): Promise<void> {
    return this.#remove(this.#path(id));
  }

  /**
   * Deletes every body file whose id `isQueued` denies (left by a crash
   * between writing a body and recording it, or during a removal); returns
   * how many. Call it before anything writes: a body being written looks
   * the same.
   */
  async removeOrphans(isQueued: (id: string) => Promise<boolean>): Promise<number> {
    let removed = 0;
    try {
      for await (const entry of this.#files.readDir(this.dir)) {
        if (!entry.isFile || await isQueued(entry.name)) continue;
        await this.remove(entry.name);
        removed++;
      }
    } catch (error) {
      if (!this.#files.isNotFound(error)) throw error;
    }
    return removed;
  }

  #path(id: string): string {
    if (!/^[0-9a-f]+$/.test(id)) throw new TypeError(`Cannot name a body file: bad id "${id}"`);
    return `${this.dir}/${id}`;
  }

  async #remove(path: string): Promise<void> {
    await this.#files.remove(path).catch((error) => {
      if (!this.#files.isNotFound(error)) throw error;
    });
  }
}

/**
 * One body file being written. Made by {@linkcode BodyFiles.create}.
 *
 * @example
 * ```ts
 * import type { FilePort } from "../file_port.ts";
 * import { BodyFiles } from "./body_files.ts";
 * declare const files: FilePort; // the runtime's files, e.g. `denoFiles` from "@tollgate/tollgate/deno"
 * const bodies = new BodyFiles(files, "/var/lib/tollgate/bodies");
 * const file = await bodies.create("018c2f5a1b0000000001");
 * await file.append(new Uint8Array(70_000));
 * await file.discard(); // the message was given up: the file is gone
 * bodies.close();
 * ```
 */
export class BodyFile {
  readonly #file: OpenFile;
  readonly #remove: () => Promise<void>;
  readonly #folder: FolderSync;
  #closed = false;

  /** Wraps an open file, `remove` deleting it; use {@linkcode BodyFiles.create}. */
  constructor(file: OpenFile, remove: () => Promise<void>, folder: FolderSync) {
    this.#file = file;
    this.#remove = remove;
    this.#folder = folder;
  }

  /** Appends all of `bytes` (copied by the OS before it resolves). */
  async append(bytes: Uint8Array): Promise<void> {
    for (let written = 0; written < bytes.length;) {
      written += await this.#file.write(bytes.subarray(written));
    }
  }

  /** Makes the file's bytes and its name durable (fdatasync, then the folder's fsync), closes it. */
  async finish(): Promise<void> {
    await this.#file.syncData();
    this.#close();
    await this.#folder.sync();
  }

  /** Closes and deletes the file. */
  async discard(): Promise<void> {
    this.#close();
    await this.#remove();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}

/**
 * Fsyncs one folder (which makes the names of new files in it durable)
 * through one handle kept open. Calls made while an fsync runs share the
 * next one ({@linkcode GroupSync}).
 *
 * @example
 * ```ts
 * import { FolderSync } from "./body_files.ts";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const folder = new FolderSync(denoFiles, "./data/bodies");
 * await Promise.all([folder.sync(), folder.sync(), folder.sync()]); // two fsyncs, not three
 * folder.close();
 * ```
 */
export class FolderSync {
  readonly #files: FilePort;
  readonly #dir: string;
  #handle: Promise<OpenFile> | undefined;
  readonly #group = new GroupSync(async () => {
    this.#handle ??= this.#files.open(this.#dir).catch((error) => {
      this.#handle = undefined; // try opening again next time
      throw error;
    });
    await (await this.#handle).sync();
  });

  /** Fsyncs `dir`, opened through `files` on the first call. */
  constructor(files: FilePort, dir: string) {
    this.#files = files;
    this.#dir = dir;
  }

  /** Resolves once an fsync of the folder that started after this call has finished. */
  sync(): Promise<void> {
    return this.#group.sync();
  }

  /** Closes the handle, if it was opened. */
  close(): void {
    this.#handle?.then((handle) => handle.close(), () => {});
    this.#handle = undefined;
  }
}
