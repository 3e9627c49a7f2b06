/**
 * Keeps one node's delivery leases (see `DeliveryLeases` in `store/types.ts`):
 * claims due messages, renews every held lease every third of its length
 * while deliveries run, and releases each with its outcome.
 *
 * @module
 */
import type { ClaimedMessage, DeliveryLeases, LeaseOutcome } from "../store/types.ts";

/**
 * Where and for how long a node leases messages.
 *
 * @example
 * ```ts
 * import type { LeaseSettings } from "@tollgate/tollgate/delivery";
 * declare const store: import("@tollgate/tollgate/store").DeliveryLeases;
 * const settings: LeaseSettings = { store, owner: "mx1-4711-1a2b", leaseMs: 120_000 };
 * console.log(settings.leaseMs); // 120000
 * ```
 */
export interface LeaseSettings {
  /** The shared queue's leases. */
  store: DeliveryLeases;
  /** This node's id, unique in the cluster (host name, process id, random). */
  owner: string;
  /** How long a claim holds a message unless renewed; another node may take it after. */
  leaseMs: number;
}

/**
 * Claims, renews and releases one node's leases. The renewal timer runs only
 * while leases are held.
 *
 * @example
 * ```ts ignore
 * import { LeaseKeeper } from "@tollgate/tollgate/delivery";
 * const keeper = new LeaseKeeper(settings, { now: Date.now, log: console.log });
 * for (const claimed of await keeper.claim(10)) {
 *   await keeper.release(claimed.message.id, { kind: "remove" });
 * }
 * ```
 */
export class LeaseKeeper {
  #settings: LeaseSettings;
  #now: () => number;
  #log: (line: string) => void;
  #held = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** A keeper for `settings`, with the worker's clock and log. */
  constructor(
    settings: LeaseSettings,
    options: { now: () => number; log: (line: string) => void },
  ) {
    this.#settings = settings;
    this.#now = options.now;
    this.#log = options.log;
  }

  /** Claims up to `limit` due messages nobody holds, and keeps their leases renewed. */
  async claim(limit: number): Promise<ClaimedMessage[]> {
    const { store, owner, leaseMs } = this.#settings;
    const claimed = await store.claim(owner, this.#now(), { limit: Math.max(1, limit), leaseMs });
    for (const item of claimed) this.#held.add(item.message.id);
    if (this.#held.size > 0) this.#startRenewing();
    return claimed;
  }

  /** Ends the lease on `id` with `outcome`; false when this node had lost it. */
  async release(id: string, outcome: LeaseOutcome): Promise<boolean> {
    this.#held.delete(id);
    if (this.#held.size === 0) this.#stopRenewing();
    return await this.#settings.store.release(id, this.#settings.owner, outcome);
  }

  /** Stops renewing; leases still held run out and other nodes take the messages. */
  stop(): void {
    this.#held.clear();
    this.#stopRenewing();
  }

  #startRenewing(): void {
    const every = Math.max(10, Math.floor(this.#settings.leaseMs / 3));
    this.#timer ??= setInterval(() => this.#renewAll(), every);
  }

  #stopRenewing(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #renewAll(): Promise<void> {
    const { store, owner, leaseMs } = this.#settings;
    const until = this.#now() + leaseMs;
    await Promise.all([...this.#held].map(async (id) => {
      try {
        if (await store.renew(id, owner, until) || !this.#held.has(id)) return;
        this.#held.delete(id);
        this.#log(`delivery ${id}: lease lost, another node may deliver it too`);
      } catch (error) {
        this.#log(`delivery ${id}: lease not renewed: ${(error as Error).message}`);
      }
    }));
  }
}
