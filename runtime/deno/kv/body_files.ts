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

import { GroupSync } from "./group_sync.ts";

/** How much of a body file one read returns. */
const READ_SIZE = 64 * 1024;

/**
 * The folder of body files.
 *
 * @example
 * ```ts
 * import { BodyFiles } from "./body_files.ts";
 * const bodies = new BodyFiles(await Deno.makeTempDir());
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
  #made: Promise<void> | undefined;
  #folder: FolderSync;

  /** Keeps bodies in `dir`. */
  constructor(dir: string) {
    this.dir = dir;
    this.#folder = new FolderSync(dir);
  }

  /** A new, empty body file for `id`; rejects if one exists (the id is taken). */
  async create(id: string): Promise<BodyFile> {
    await (this.#made ??= Deno.mkdir(this.dir, { recursive: true }));
    const path = this.#path(id);
    const file = await Deno.open(path, { createNew: true, write: true });
    return new BodyFile(file, path, this.#folder);
  }

  /** Closes the folder handle kept for fsyncs; files being written stay open. */
  close(): void {
    this.#folder.close();
  }

  /** The body of `id` in pieces of up to 64 KiB; rejects if the file is gone. */
  async *read(id: string): AsyncIterable<Uint8Array> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#path(id), { read: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
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
  async remove(id: string): Promise<void> {
    await Deno.remove(this.#path(id)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
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
      for await (const entry of Deno.readDir(this.dir)) {
        if (!entry.isFile || await isQueued(entry.name)) continue;
        await this.remove(entry.name);
        removed++;
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return removed;
  }

  #path(id: string): string {
    if (!/^[0-9a-f]+$/.test(id)) throw new TypeError(`Cannot name a body file: bad id "${id}"`);
    return `${this.dir}/${id}`;
  }
}

/**
 * One body file being written. Made by {@linkcode BodyFiles.create}.
 *
 * @example
 * ```ts
 * import { BodyFiles } from "./body_files.ts";
 * const bodies = new BodyFiles(await Deno.makeTempDir());
 * const file = await bodies.create("018c2f5a1b0000000001");
 * await file.append(new Uint8Array(70_000));
 * await file.discard(); // the message was given up: the file is gone
 * bodies.close();
 * ```
 */
export class BodyFile {
  readonly #file: Deno.FsFile;
  readonly #path: string;
  readonly #folder: FolderSync;
  #closed = false;

  /** Wraps an open file; use {@linkcode BodyFiles.create}. */
  constructor(file: Deno.FsFile, path: string, folder: FolderSync) {
    this.#file = file;
    this.#path = path;
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
    await Deno.remove(this.#path).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
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
 * const folder = new FolderSync(await Deno.makeTempDir());
 * await Promise.all([folder.sync(), folder.sync(), folder.sync()]); // two fsyncs, not three
 * folder.close();
 * ```
 */
export class FolderSync {
  readonly #dir: string;
  #handle: Promise<Deno.FsFile> | undefined;
  readonly #group = new GroupSync(async () => {
    this.#handle ??= Deno.open(this.#dir, { read: true }).catch((error) => {
      this.#handle = undefined; // try opening again next time
      throw error;
    });
    await (await this.#handle).sync();
  });

  /** Fsyncs `dir`; opened on the first call. */
  constructor(dir: string) {
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
