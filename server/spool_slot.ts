/**
 * The message body a connection is spooling: one at a time, failures kept
 * for the end of DATA.
 *
 * @module
 */
import type { StoreResult } from "../smtp/server_types.ts";
import type { Envelope, SpoolWriter, Stores } from "../store/types.ts";
import type { Peer } from "./types.ts";
import type { TollgateMetrics } from "./metrics/tollgate_metrics.ts";

/** How SQLite (Deno KV) and the OS say the disk is full. */
const DISK_FULL = /disk is full|no space left|ENOSPC|quota/i;

/** What a {@linkcode SpoolSlot} needs of its connection's dependencies. */
export interface SpoolSlotDeps {
  /** The queue it spools into. */
  stores: Pick<Stores, "queue">;
  /** One line per event. */
  log: (line: string) => void;
  /** Counts queued messages and their bytes. */
  metrics?: Pick<TollgateMetrics, "messageAccepted">;
}

/**
 * The message one connection is spooling, if any. A write that fails is
 * remembered and answered at the end of DATA (the client is still sending),
 * as the session asks.
 *
 * @example
 * ```ts ignore
 * const spool = new SpoolSlot(deps, peer);
 * await spool.begin(); // at DATA
 * await spool.write(bytes); // for every piece of the body
 * const result = await spool.commit(envelope); // { kind: "stored", id } or { kind: "failed", ... }
 * ```
 */
export class SpoolSlot {
  #writer: SpoolWriter | undefined;
  #failure: string | undefined;
  readonly #deps: SpoolSlotDeps;
  readonly #peer: Peer;

  /** Spools into `deps.stores.queue`, logging as `peer`. */
  constructor(deps: SpoolSlotDeps, peer: Peer) {
    this.#deps = deps;
    this.#peer = peer;
  }

  async begin(): Promise<void> {
    this.#failure = undefined;
    try {
      this.#writer = await this.#deps.stores.queue.create();
    } catch (error) {
      this.#fail(error);
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#writer || this.#failure) return;
    try {
      await this.#writer.write(bytes);
    } catch (error) {
      this.#fail(error);
    }
  }

  async commit(envelope: Envelope): Promise<StoreResult> {
    const writer = this.#writer;
    this.#writer = undefined;
    if (!writer || this.#failure) {
      await writer?.abort().catch(() => {});
      return this.#failed("no spool");
    }
    try {
      const message = await writer.commit(envelope);
      this.#deps.log(
        `smtp ${this.#peer.peer} queued ${message.id} size=${message.size} ` +
          `rcpts=${message.to.length}${message.authUser ? ` auth=${message.authUser}` : ""}`,
      );
      this.#deps.metrics?.messageAccepted(message.size);
      return { kind: "stored", id: message.id };
    } catch (error) {
      this.#fail(error);
      await writer.abort().catch(() => {});
      return this.#failed("commit failed");
    }
  }

  async abort(): Promise<void> {
    const writer = this.#writer;
    this.#writer = undefined;
    await writer?.abort().catch(() => {});
  }

  #failed(fallback: string): StoreResult {
    const reason = this.#failure ?? fallback;
    return { kind: "failed", reason, storageFull: DISK_FULL.test(reason) };
  }

  #fail(error: unknown): void {
    this.#failure = error instanceof Error ? error.message : String(error);
    this.#deps.log(`smtp ${this.#peer.peer} spool error ${this.#failure}`);
  }
}
