/**
 * The lanes of the body log (`body_log.ts`; internal): each appends to its current
 * segment file, one write after another, and retires the segment when it
 * is full or unused.
 *
 * @module
 */
import type { OpenFile } from "../file_port.ts";
import { GroupSync } from "./group_sync.ts";

/**
 * One segment file: appended to by one lane until full (then retired), read
 * by anyone, deleted when retired and unreferenced.
 *
 * @example
 * ```ts
 * import { Segment } from "./_body_log_lane.ts";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const file = await denoFiles.create("./data/bodies/0000000000000001");
 * const segment = new Segment("0000000000000001", 0, file);
 * await segment.write(new Uint8Array(10));
 * await segment.retire(); // synced, then closed
 * console.log(segment.appending); // false
 * ```
 */
export class Segment {
  readonly name: string;
  /** Pieces of bodies (being written or queued) in it. */
  references: number;
  /** Bytes appended so far. */
  size = 0;
  /** Its file and shared fdatasync while it is appended to. */
  #open: { file: OpenFile; group: GroupSync } | undefined;
  #retired: Promise<void> | undefined;

  /** A segment of an earlier run, or (with `file`) a new one to append to. */
  constructor(name: string, references: number, file?: OpenFile) {
    this.name = name;
    this.references = references;
    this.#open = file && { file, group: new GroupSync(() => file.syncData()) };
  }

  /** Still being appended to. */
  get appending(): boolean {
    return this.#open !== undefined;
  }

  /** Appends all of `bytes`. */
  async write(bytes: Uint8Array): Promise<void> {
    const open = this.#open;
    if (!open) throw new Error(`Cannot append to log segment ${this.name}: it is retired`);
    for (let written = 0; written < bytes.length;) {
      written += await open.file.write(bytes.subarray(written));
    }
  }

  /** Resolves once every byte appended before this call is on disk. */
  durable(): Promise<void> {
    return this.#retired ?? this.#open?.group.sync() ?? Promise.resolve();
  }

  /** Stops appending: one last fdatasync, then the file is closed. */
  retire(): Promise<void> {
    const open = this.#open;
    if (!open) return this.#retired ?? Promise.resolve();
    this.#open = undefined;
    this.#retired = open.group.sync().finally(() => open.file.close());
    return this.#retired;
  }

  /** Closes the file at once (shutdown); bytes not yet made durable may be lost. */
  close(): void {
    this.#open?.file.close();
    this.#open = undefined;
  }
}

/** What a lane needs of its log. */
export interface LaneHost {
  /** A segment is retired once it holds this many bytes. */
  segmentBytes: number;
  /** A new, empty segment, its name durable in the folder. */
  create(): Promise<Segment>;
  /** Called once a segment is retired (and synced): deletes it if unreferenced. */
  retired(segment: Segment): Promise<void>;
}

/**
 * Appends one at a time to its current segment; starts a new one when it is full.
 *
 * @example
 * ```ts
 * import { Lane, Segment } from "./_body_log_lane.ts";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const dir = "./data/bodies";
 * let count = 0;
 * const lane = new Lane({
 *   segmentBytes: 1024,
 *   create: async () => {
 *     const name = String(++count);
 *     return new Segment(name, 0, await denoFiles.create(`${dir}/${name}`));
 *   },
 *   retired: async () => {},
 * });
 * const { segment, offset } = await lane.append(new Uint8Array(100));
 * console.log(segment.name, offset); // "1" 0
 * lane.close();
 * ```
 */
export class Lane {
  readonly #host: LaneHost;
  #segment: Segment | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(host: LaneHost) {
    this.#host = host;
  }

  /** Appends `bytes` after every earlier append of this lane; where they went. */
  append(bytes: Uint8Array): Promise<{ segment: Segment; offset: number }> {
    const appended = this.#tail.then(() => this.#write(bytes));
    this.#tail = appended.catch(() => {});
    return appended;
  }

  close(): void {
    this.#segment?.close();
    this.#segment = undefined;
  }

  /** Whether `segment` is the one this lane appends to. */
  appendsTo(segment: Segment): boolean {
    return this.#segment === segment;
  }

  /** Retires `segment` (and so deletes it) if it is still this lane's and nothing uses it. */
  retireIfUnused(segment: Segment): Promise<void> {
    const retired = this.#tail.then(async () => {
      if (this.#segment === segment && segment.references === 0) await this.#retire();
    });
    this.#tail = retired.catch(() => {});
    return retired;
  }

  async #write(bytes: Uint8Array): Promise<{ segment: Segment; offset: number }> {
    if (this.#segment && this.#segment.size >= this.#host.segmentBytes) await this.#retire();
    const segment = this.#segment ??= await this.#host.create();
    const offset = segment.size;
    try {
      await segment.write(bytes);
    } catch (error) {
      await this.#retire(); // where its end is after a failed write is unknown: start afresh
      throw error;
    }
    segment.size += bytes.length;
    segment.references++;
    return { segment, offset };
  }

  async #retire(): Promise<void> {
    const segment = this.#segment;
    if (!segment) return;
    this.#segment = undefined;
    await segment.retire().catch(() => {}); // writers waiting on it see the error themselves
    await this.#host.retired(segment);
  }
}
