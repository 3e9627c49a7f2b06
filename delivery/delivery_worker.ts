/**
 * The delivery worker: takes due messages from the queue, delivers them
 * (Maildir, relay routes, MX) and writes each message's new state back,
 * bouncing what failed for good and removing what is done.
 *
 * Durable across SIGKILL: the queue keeps every message until its state
 * says it is done, and a message's state is written after each attempt.
 * A crash after a server accepted a message but before its state was
 * written means the next start delivers it again: at least once, so a
 * duplicate is possible, a loss is not.
 *
 * @module
 */
import { buildBounce, readHeaderBlock } from "./bounce.ts";
import {
  admitDeliveries,
  type DeliveryPlan,
  planDeliveries,
  type RemoteJob,
  spreadJob,
} from "./delivery_plan.ts";
import { applyOutcomes, type DeliveryOutcome, type FailedRecipient } from "./delivery_state.ts";
import type { OutboundMessage } from "./outbound_types.ts";
import { LeaseKeeper } from "./lease_keeper.ts";
import { deliverRemote } from "./remote_delivery.ts";
import { Semaphore } from "./_semaphore.ts";
import type { DueMessage, QueuedMessage } from "../store/types.ts";
import type { DeliveryWorkerOptions } from "./delivery_worker_options.ts";
import { holdDelivery } from "../store/queue_hold.ts";

/** An outcome with the route it took: `local`, a route's pattern, `mx`, or `none`. */
type RoutedOutcome = DeliveryOutcome & { route: string };

const HEADER_LIMIT = 64 * 1024;

/**
 * Delivers queued mail. `start()` runs the loop, `wake()` makes it look at
 * the queue now (after a commit), `stop()` ends it; `runOnce()` makes one
 * pass and waits for it, for tests and tools.
 *
 * @example
 * ```ts
 * import { DeliveryWorker } from "@tollgate/tollgate/delivery";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const worker = new DeliveryWorker({
 *   stores: createMemoryStores(Date.now), hostname: "mail.domain.de",
 *   policy: { schedule: [60_000], lifetimeMs: 3_600_000 }, concurrency: 4,
 *   deliverLocal: (message) => Promise.resolve(`/mail/${message.mailbox}/new/1`),
 *   deliver: () => Promise.resolve([]),
 *   lookup: () => Promise.resolve({ kind: "temporary", reply: "no DNS here" }),
 *   log: console.log,
 * });
 * console.log(await worker.runOnce()); // 0: nothing queued
 * worker.start();
 * await worker.stop();
 * ```
 */
export class DeliveryWorker {
  #options: DeliveryWorkerOptions;
  #now: () => number;
  /** The messages in delivery, and whether they hold local or remote room. */
  #inFlight = new Map<string, "local" | "remote">();
  #maxInFlight: number;
  #slots: Semaphore;
  #wakeUp: () => void = () => {};
  #woken = false;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #passes = new Set<Promise<void>>();
  #taking: Promise<void> = Promise.resolve();
  #leases: LeaseKeeper | undefined;

  /** A worker with these options; nothing runs until `start()` or `runOnce()`. */
  constructor(options: DeliveryWorkerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#slots = new Semaphore(options.concurrency);
    this.#maxInFlight = options.maxInFlight ?? 200;
    const log = (line: string) => this.#log(line);
    if (options.leases) this.#leases = new LeaseKeeper(options.leases, { now: this.#now, log });
  }

  /** Starts the loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Makes the loop look for due messages now. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp();
  }

  /** Delivers every due message not already in delivery; resolves when they are done. */
  async runOnce(): Promise<number> {
    const taken = await this.#take();
    await taken.pass;
    return taken.count;
  }

  /** Stops looking for work and waits for deliveries under way, at most `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    this.#stopped = true;
    this.#wakeUp();
    await this.#loop;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise((resolve) => timer = setTimeout(resolve, graceMs));
    await Promise.race([Promise.allSettled([...this.#passes]), grace]);
    clearTimeout(timer);
    this.#leases?.stop();
  }

  /**
   * Takes the due messages not in delivery (one taker at a time, so no
   * message is taken twice) and starts delivering them.
   *
   * A finished pass gives its messages back through the same chain of
   * takers, never during a take: a take reads the queue, then filters out
   * what is in delivery. Were a pass that finished in between (its messages
   * delivered and removed) to drop its ids at once, the take would see them
   * in its stale read, no longer in delivery, and deliver them a second time.
   * With leases, what is claimed but not admitted goes back at once, unchanged.
   */
  #take(): Promise<{ count: number; pass: Promise<void> }> {
    const taken = this.#taking.then(async () => {
      const { stores } = this.#options;
      const fetched = await this.#due();
      const due = fetched.filter((item) => !this.#inFlight.has(item.message.id));
      if (due.length === 0) {
        await this.#giveBack(fetched);
        return { count: 0, pass: Promise.resolve() };
      }
      const planned = await planDeliveries(due, { stores, routes: await stores.routes.list() })
        .catch(async (error) => {
          await this.#giveBack(fetched); // claimed, and nobody would release them
          throw error;
        });
      const { plan, local, remote } = admitDeliveries(
        due.map((item) => item.message.id),
        planned,
        {
          local: this.#maxInFlight - this.#inFlightCount("local"),
          remote: this.#maxInFlight - this.#inFlightCount("remote"),
        },
      );
      for (const id of local) this.#inFlight.set(id, "local");
      for (const id of remote) this.#inFlight.set(id, "remote");
      const chosen = new Set([...local, ...remote]);
      const admitted = due.filter((item) => chosen.has(item.message.id));
      await this.#giveBack(fetched.filter((item) => !chosen.has(item.message.id)));
      if (admitted.length === 0) return { count: 0, pass: Promise.resolve() };
      const pass: Promise<void> = this.#deliver(admitted, plan)
        .catch((error) => this.#log(`delivery pass failed: ${describe(error)}`))
        .finally(() => {
          this.#passes.delete(pass);
          this.#taking = this.#taking.then(() => {
            for (const item of admitted) this.#inFlight.delete(item.message.id);
          });
          this.wake();
        });
      this.#passes.add(pass);
      return { count: admitted.length, pass };
    });
    this.#taking = taken.then(() => {}, () => {});
    return taken;
  }

  /** Due messages: claimed with a lease on a shared queue, read otherwise. */
  #due(): Promise<DueMessage[]> {
    if (this.#leases) return this.#leases.claim(2 * this.#maxInFlight - this.#inFlight.size);
    return this.#options.stores.queue.due(this.#now(), this.#maxInFlight + this.#inFlight.size);
  }

  /**
   * Releases claimed messages this pass does not deliver, their state unchanged:
   * those it has no room for, and those still marked in delivery here (their
   * pass released them due again and has not dropped them yet, or their lease
   * had lapsed; such a pass's own release then finds the lease gone).
   */
  async #giveBack(items: DueMessage[]): Promise<void> {
    const leases = this.#leases;
    if (!leases) return;
    await Promise.all(items.map(async (item) => {
      await leases.release(item.message.id, { kind: "update", delivery: item.delivery })
        .catch((error) =>
          this.#log(`delivery ${item.message.id}: not released: ${describe(error)}`)
        );
    }));
  }

  #inFlightCount(kind: "local" | "remote"): number {
    let count = 0;
    for (const held of this.#inFlight.values()) if (held === kind) count++;
    return count;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      this.#woken = false;
      try {
        await this.#take();
      } catch (error) {
        this.#log(`delivery: cannot read the queue: ${describe(error)}`);
      }
      if (this.#woken || this.#stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.pollIntervalMs ?? 1000);
        this.#wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wakeUp = () => {};
    }
  }

  async #deliver(due: DueMessage[], plan: DeliveryPlan): Promise<void> {
    const byId = new Map(due.map((item) => [item.message.id, item]));
    const outcomes = new Map(
      due.map((item) => [item.message.id, [] as Promise<RoutedOutcome[]>[]]),
    );
    const routed = (route: string) => (list: DeliveryOutcome[]) =>
      list.map((outcome) => ({ ...outcome, route }));
    for (const { id, outcome } of plan.settled) {
      outcomes.get(id)!.push(Promise.resolve([{ ...outcome, route: "none" }]));
    }
    for (const local of plan.local) {
      const message = byId.get(local.id)!.message;
      outcomes.get(local.id)!.push(this.#deliverLocal(message, local).then(routed("local")));
    }
    const spread = { connections: this.#options.concurrency, minMessagesPerConnection: 10 };
    for (const job of plan.remote.flatMap((one) => spreadJob(one, spread))) {
      const results = this.#slots.run(() => this.#deliverJob(job, byId));
      const route = job.destination.kind === "relay"
        ? job.destination.route.pattern
        : job.destination.route?.pattern ?? "mx";
      job.parts.forEach((part, k) =>
        outcomes.get(part.id)!.push(results.then((all) => routed(route)(all[k])))
      );
    }
    await Promise.all(due.map(async (item) => {
      try {
        const settled = (await Promise.all(outcomes.get(item.message.id)!)).flat();
        await this.#record(item, settled);
      } catch (error) {
        this.#log(`delivery ${item.message.id} state not written: ${describe(error)}`);
      }
    }));
  }

  async #deliverLocal(
    message: QueuedMessage,
    local: { address: string; mailbox: string },
  ): Promise<DeliveryOutcome[]> {
    const { queue } = this.#options.stores;
    try {
      const path = await this.#options.deliverLocal({
        from: message.from,
        mailbox: local.mailbox,
        body: queue.readBody(message.id),
      });
      const file = path.slice(path.lastIndexOf("/") + 1);
      return [{ address: local.address, status: "delivered", reply: `250 2.0.0 maildir ${file}` }];
    } catch (error) {
      const reply = `451 4.3.0 Maildir delivery failed: ${describe(error)}`;
      return [{ address: local.address, status: "temporary", reply }];
    }
  }

  async #deliverJob(job: RemoteJob, byId: Map<string, DueMessage>): Promise<DeliveryOutcome[][]> {
    const { queue } = this.#options.stores;
    const messages: OutboundMessage[] = await Promise.all(job.parts.map(async (part) => {
      const { message } = byId.get(part.id)!;
      const stored = () => queue.readBody(part.id);
      const signature = await this.#signature(message, stored);
      return {
        from: message.from,
        to: part.to,
        size: message.size + (signature?.length ?? 0),
        body: signature ? () => prepend(signature, stored()) : stored,
      };
    }));
    return deliverRemote(job.destination, messages, {
      ehloName: this.#options.hostname,
      deliver: this.#options.deliver,
      lookup: this.#options.lookup,
    });
  }

  /** The DKIM fields for a message, or undefined; a failure leaves it unsigned (and logged). */
  async #signature(
    message: QueuedMessage,
    body: () => AsyncIterable<Uint8Array>,
  ): Promise<Uint8Array | undefined> {
    try {
      return await this.#options.sign?.(message, body);
    } catch (error) {
      this.#log(`delivery ${message.id} not signed: ${describe(error)}`);
      return undefined;
    }
  }

  async #record(item: DueMessage, outcomes: RoutedOutcome[]): Promise<void> {
    const { queue } = this.#options.stores;
    const { message } = item;
    const result = applyOutcomes({ receivedAt: message.receivedAt, delivery: item.delivery }, {
      outcomes,
      now: this.#now(),
      policy: this.#options.policy,
    });
    for (const outcome of outcomes) {
      const word = outcome.status === "delivered"
        ? "delivered"
        : outcome.status === "permanent"
        ? "failed"
        : "deferred";
      this.#log(`delivery ${message.id} to ${outcome.address} ${word}: ${outcome.reply}`);
      const latency = word === "delivered" ? (this.#now() - message.receivedAt) / 1000 : undefined;
      this.#options.metrics?.delivery(word, outcome.route, latency);
    }
    if (result.failed.length > 0) await this.#bounce(message, result.failed);
    // Held while in delivery: what is left stays held (the hold would otherwise be lost).
    const heldMeanwhile = !result.done && (await queue.delivery(message.id))?.held;
    const next = heldMeanwhile ? holdDelivery(result.delivery) : result.delivery;
    if (this.#leases) {
      const outcome = result.done
        ? { kind: "remove" as const }
        : { kind: "update" as const, delivery: next };
      if (!await this.#leases.release(message.id, outcome)) {
        this.#log(`delivery ${message.id}: lease lost before release; another node has it`);
      }
      return;
    }
    const stored = result.done
      ? await queue.remove(message.id)
      : await queue.update(message.id, next);
    if (!stored) this.#log(`delivery ${message.id} was removed from the queue meanwhile`);
  }

  async #bounce(message: QueuedMessage, failed: FailedRecipient[]): Promise<void> {
    const { queue } = this.#options.stores;
    const random = this.#options.random ??
      ((length) => crypto.getRandomValues(new Uint8Array(length)));
    const bytes = random(12);
    const bounce = buildBounce({
      message,
      failed,
      originalHeaders: await readHeaderBlock(queue.readBody(message.id), HEADER_LIMIT),
      reportingMta: this.#options.hostname,
      now: this.#now(),
      boundary: Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(""),
    });
    const names = failed.map((failure) => failure.address).join(", ");
    if (bounce.kind === "none") {
      this.#log(`delivery ${message.id} to ${names} failed; no bounce to the null sender`);
      return;
    }
    const writer = await queue.create();
    try {
      await writer.write(new TextEncoder().encode(bounce.body));
      await writer.commit({
        from: "",
        to: bounce.to,
        clientAddress: "127.0.0.1",
        helo: this.#options.hostname,
        receivedAt: this.#now(),
      });
    } catch (error) {
      await writer.abort();
      throw error;
    }
    this.#log(`delivery ${message.id} bounce ${writer.id} to ${bounce.to[0]} for ${names}`);
  }

  #log(line: string): void {
    this.#options.log(line);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function* prepend(
  head: Uint8Array,
  rest: AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  yield head;
  yield* rest;
}
