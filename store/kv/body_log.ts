/**
 * Message bodies larger than one spool chunk, appended to shared log files
 * (segments) instead of a file each.
 *
 * A file per body cost the kernel an inode, a directory entry, a fresh block
 * allocation and a journal commit per message (and a discard when it was
 * deleted): at 100 KiB and 20 clients that, not the protocol, took most of
 * the CPU. Here bodies are appended to a few segment files ("lanes", written
 * side by side), and the writers that finish together share one
 * `fdatasync` per lane. A segment is retired when it is full, or when no
 * body in it is referenced any more (counted per piece: every piece of a
 * body written or queued holds one reference); a retired segment is
 * deleted once nothing references it. So once every message is delivered,
 * no body is left on disk.
 *
 * A body is durable before the queue entry that names its pieces is
 * committed; a crash in between leaves pieces nobody references, and
 * {@linkcode BodyLog.open} deletes segments that no queued message uses.
 *
 * @module
 */
import type { FilePort, OpenFile } from "../file_port.ts";
import { FolderSync } from "./body_files.ts";
import { Lane, type LaneHost, Segment } from "./_body_log_lane.ts";

/**
 * Where a body lies in the log: its pieces in order.
 *
 * @example
 * ```ts
 * import type { BodyExtents } from "@tollgate/tollgate/store/kv";
 * // Two pieces: 100 bytes at 0 in the first segment, 20 at 4096 in the second.
 * const body: BodyExtents = {
 *   segments: ["0000000000000001", "0000000000000002"], extents: [0, 0, 100, 1, 4096, 20],
 * };
 * console.log(body.extents.length / 3); // 2
 * ```
 */
export interface BodyExtents {
  /** The segments its pieces are in. */
  segments: string[];
  /** `[segment index, offset, length]` for each piece, flattened. */
  extents: number[];
}

/**
 * Options for {@linkcode BodyLog.open}.
 *
 * @example
 * ```ts
 * import { BodyLog, type BodyLogOptions } from "@tollgate/tollgate/store/kv";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const options: BodyLogOptions = { lanes: 2, segmentBytes: 1024 * 1024 };
 * const { log } = await BodyLog.open(denoFiles, "./data/bodies", new Map(), options);
 * console.log(options.lanes); // 2 (segments written side by side)
 * log.close();
 * ```
 */
export interface BodyLogOptions {
  /** Segments written side by side (each with its own fdatasync); 8 unless given. */
  lanes?: number;
  /** A segment is retired once it holds this many bytes; 8 MiB unless given. */
  segmentBytes?: number;
}

/**
 * What {@linkcode BodyLog.open} returns.
 *
 * @example
 * ```ts
 * import { BodyLog, type OpenedBodyLog } from "@tollgate/tollgate/store/kv";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const dir = "./data/bodies";
 * const opened: OpenedBodyLog = await BodyLog.open(denoFiles, dir, new Map());
 * console.log(opened.removed); // 0 (a new folder: nothing left by a crash)
 * opened.log.close();
 * ```
 */
export interface OpenedBodyLog {
  /** The log, appending to new segments. */
  log: BodyLog;
  /** Segments deleted because no queued message used them (a crash left them). */
  removed: number;
}

/** How much of a piece one read returns. */
const READ_SIZE = 64 * 1024;
/** Segment names: a counter in 16 hex digits. */
const SEGMENT_NAME = /^[0-9a-f]{16}$/;

/**
 * The body log in one folder.
 *
 * @example
 * ```ts
 * import { BodyLog } from "./body_log.ts";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const { log } = await BodyLog.open(denoFiles, "./data/bodies", new Map());
 * const writer = log.begin();
 * await writer.append(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await writer.durable();
 * const body = writer.extents(); // goes into the queue entry
 * for await (const piece of log.read(body)) console.log(piece.length); // 22
 * await log.release(body); // the message is gone
 * log.close();
 * ```
 */
export class BodyLog {
  /** The folder of segments. */
  readonly dir: string;
  readonly #files: FilePort;
  readonly #segments = new Map<string, Segment>();
  readonly #lanes: Lane[];
  readonly #folder: FolderSync;
  #lastSegment: number;
  #nextLane = 0;

  private constructor(
    files: FilePort,
    dir: string,
    lastSegment: number,
    options: BodyLogOptions,
  ) {
    this.dir = dir;
    this.#files = files;
    this.#lastSegment = lastSegment;
    this.#folder = new FolderSync(files, dir);
    const host: LaneHost = {
      segmentBytes: options.segmentBytes ?? 8 * 1024 * 1024,
      create: () => this.#createSegment(),
      retired: (segment) => this.#deleteIfUnused(segment),
    };
    this.#lanes = Array.from({ length: options.lanes ?? 8 }, () => new Lane(host));
  }

  /**
   * Opens the log in `dir` (made if missing) through `files`: keeps the segments that
   * `references` counts (pieces of queued bodies per segment name), deletes
   * the others, and appends only to new segments. Call it before anything
   * writes.
   */
  static async open(
    files: FilePort,
    dir: string,
    references: ReadonlyMap<string, number>,
    options: BodyLogOptions = {},
  ): Promise<OpenedBodyLog> {
    await files.mkdir(dir);
    const kept: Segment[] = [];
    let lastSegment = 0;
    let removed = 0;
    for await (const entry of files.readDir(dir)) {
      if (!entry.isFile || !SEGMENT_NAME.test(entry.name)) continue;
      lastSegment = Math.max(lastSegment, parseInt(entry.name, 16));
      const count = references.get(entry.name) ?? 0;
      if (count === 0) {
        await files.remove(`${dir}/${entry.name}`);
        removed++;
      } else {
        kept.push(new Segment(entry.name, count));
      }
    }
    const log = new BodyLog(files, dir, lastSegment, options);
    for (const segment of kept) log.#segments.set(segment.name, segment);
    return { log, removed };
  }

  /** A writer for one body, on the next lane. */
  begin(): BodyLogWriter {
    const lane = this.#lanes[this.#nextLane];
    this.#nextLane = (this.#nextLane + 1) % this.#lanes.length;
    return new LaneWriter(lane, (body) => this.release(body));
  }

  /** The body in pieces of up to 64 KiB; rejects if a segment is gone or short. */
  async *read(body: BodyExtents): AsyncIterable<Uint8Array> {
    let open: { index: number; file: OpenFile } | undefined;
    try {
      for (let at = 0; at < body.extents.length; at += 3) {
        const [index, offset, length] = body.extents.slice(at, at + 3);
        if (open?.index !== index) {
          open?.file.close();
          open = undefined; // closed: if the next open fails, `finally` has nothing to close
          open = { index, file: await this.#openForRead(body.segments[index]) };
        }
        yield* readPiece(open.file, offset, length, body.segments[index]);
      }
    } finally {
      open?.file.close();
    }
  }

  /** Drops the references of a body that is gone; deletes segments nothing uses any more. */
  async release(body: BodyExtents): Promise<void> {
    for (let at = 0; at < body.extents.length; at += 3) {
      const segment = this.#segments.get(body.segments[body.extents[at]]);
      if (segment) segment.references--;
    }
    for (const name of new Set(body.segments)) {
      const segment = this.#segments.get(name);
      if (!segment || segment.references > 0) continue;
      // Unused and still appended to: retired now, so delivered mail does not linger on disk.
      const lane = this.#lanes.find((lane) => lane.appendsTo(segment));
      await (lane ? lane.retireIfUnused(segment) : this.#deleteIfUnused(segment));
    }
  }

  /** Closes the segments being appended to; pieces not yet made durable may be lost. */
  close(): void {
    for (const lane of this.#lanes) lane.close();
    this.#folder.close();
  }

  async #createSegment(): Promise<Segment> {
    const name = (++this.#lastSegment).toString(16).padStart(16, "0");
    const file = await this.#files.create(`${this.dir}/${name}`);
    const segment = new Segment(name, 0, file);
    this.#segments.set(name, segment);
    await this.#folder.sync();
    return segment;
  }

  /** Deletes a segment that is retired and referenced by nothing. */
  async #deleteIfUnused(segment: Segment): Promise<void> {
    if (segment.references > 0 || segment.appending) return;
    if (this.#segments.get(segment.name) !== segment) return; // deleted already
    this.#segments.delete(segment.name);
    await this.#files.remove(`${this.dir}/${segment.name}`).catch((error) => {
      if (!this.#files.isNotFound(error)) throw error;
    });
  }

  async #openForRead(name: string): Promise<OpenFile> {
    try {
      return await this.#files.open(`${this.dir}/${name}`);
    } catch (error) {
      if (!this.#files.isNotFound(error)) throw error;
      throw new Error(`Cannot read message body: log segment ${name} is gone (removed?)`);
    }
  }
}

/**
 * One body being appended to the log. Made by {@linkcode BodyLog.begin}.
 *
 * @example
 * ```ts
 * import { BodyLog } from "./body_log.ts";
 * import { denoFiles } from "@tollgate/tollgate/deno";
 * const { log } = await BodyLog.open(denoFiles, "./data/bodies", new Map());
 * const writer = log.begin();
 * await writer.append(new Uint8Array(70_000));
 * await writer.discard(); // the message was given up: its pieces hold nothing
 * log.close();
 * ```
 */
export interface BodyLogWriter {
  /** Appends all of `bytes` as the body's next piece; `bytes` may be reused once it resolves. */
  append(bytes: Uint8Array): Promise<void>;
  /** Resolves once every piece appended so far is on disk (fdatasync, shared with other writers). */
  durable(): Promise<void>;
  /** Where the body lies: for the queue entry, and for {@linkcode BodyLog.read}. */
  extents(): BodyExtents;
  /** Gives the pieces up (the message was not queued). */
  discard(): Promise<void>;
}

/** A {@linkcode BodyLogWriter} on one lane. */
class LaneWriter implements BodyLogWriter {
  readonly #lane: Lane;
  readonly #release: (body: BodyExtents) => Promise<void>;
  readonly #segments: Segment[] = [];
  readonly #extents: number[] = [];

  constructor(lane: Lane, release: (body: BodyExtents) => Promise<void>) {
    this.#lane = lane;
    this.#release = release;
  }

  async append(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    const { segment, offset } = await this.#lane.append(bytes);
    let index = this.#segments.indexOf(segment);
    if (index < 0) index = this.#segments.push(segment) - 1;
    const extents = this.#extents;
    const last = extents.length - 3; // the previous piece, if any
    if (last >= 0 && extents[last] === index && extents[last + 1] + extents[last + 2] === offset) {
      extents[last + 2] += bytes.length; // right after the previous piece: one piece
      segment.references--; // the lane counted it as a piece of its own
    } else {
      this.#extents.push(index, offset, bytes.length);
    }
  }

  async durable(): Promise<void> {
    await Promise.all(this.#segments.map((segment) => segment.durable()));
  }

  extents(): BodyExtents {
    return { segments: this.#segments.map((segment) => segment.name), extents: [...this.#extents] };
  }

  async discard(): Promise<void> {
    const body = this.extents();
    this.#extents.length = 0;
    await this.#release(body);
  }
}

/** Reads `length` bytes at `offset` of `file` (segment `name`), in pieces of up to 64 KiB. */
async function* readPiece(
  file: OpenFile,
  offset: number,
  length: number,
  name: string,
): AsyncIterable<Uint8Array> {
  await file.seekTo(offset);
  for (let left = length; left > 0;) {
    const buffer = new Uint8Array(Math.min(left, READ_SIZE));
    const count = await file.read(buffer);
    if (count === null) throw new Error(`Cannot read message body: log segment ${name} is short`);
    left -= count;
    yield buffer.subarray(0, count);
  }
}
