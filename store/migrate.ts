/**
 * Moves everything one bundle of stores holds into another: the copying
 * behind `deno task migrate-store` (Deno KV to PostgreSQL and back). Pure:
 * it sees only the two {@linkcode Stores}.
 *
 * @module
 */
import type { Stores } from "./types.ts";

/**
 * How many of each thing {@linkcode migrateStores} copied.
 *
 * @example
 * ```ts
 * import type { MigrationCounts } from "@tollgate/tollgate/store";
 * const counts: MigrationCounts = {
 *   domains: 2, users: 14, networks: 1, routes: 2, senderGrants: 3, messages: 5, bodyBytes: 1843200,
 * };
 * console.log(counts.users); // 14
 * ```
 */
export interface MigrationCounts {
  /** Local domains. */
  domains: number;
  /** Users, with their password hashes (and CRAM-MD5 secrets). */
  users: number;
  /** Networks that relay without AUTH. */
  networks: number;
  /** Routes, with their secrets. */
  routes: number;
  /** Sender grants (entries, over all users). */
  senderGrants: number;
  /** Queued messages, with their bodies and delivery state. */
  messages: number;
  /** Bytes of queued bodies. */
  bodyBytes: number;
}

/**
 * Thrown when the target already holds something: nothing was copied.
 *
 * @example
 * ```ts
 * import { TargetNotEmptyError } from "@tollgate/tollgate/store";
 * console.log(new TargetNotEmptyError(["users"]).message);
 * // Cannot migrate: the target store is not empty (it has users)
 * ```
 */
export class TargetNotEmptyError extends Error {
  /** Names what the target holds. */
  constructor(what: string[]) {
    super(`Cannot migrate: the target store is not empty (it has ${what.join(", ")})`);
    this.name = "TargetNotEmptyError";
  }
}

const PAGE = 200;

/**
 * What of `stores` is not empty, by name (sender grants only show with a user).
 *
 * @example
 * ```ts
 * import { createMemoryStores, nonEmptyParts } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(() => Date.now());
 * await stores.networks.add("192.0.2.0/24");
 * console.log(await nonEmptyParts(stores)); // ["networks"]
 * ```
 */
export async function nonEmptyParts(stores: Stores): Promise<string[]> {
  const parts: string[] = [];
  if ((await stores.domains.list()).length > 0) parts.push("domains");
  if ((await stores.users.list({ limit: 1 })).items.length > 0) parts.push("users");
  if ((await stores.networks.list()).length > 0) parts.push("networks");
  if ((await stores.routes.list()).length > 0) parts.push("routes");
  if ((await stores.queue.list({ limit: 1 })).items.length > 0) parts.push("queued messages");
  return parts;
}

/**
 * Copies domains, users, networks, routes, sender grants (of the users in
 * the user store) and the queue from `source` into `target`, after checking
 * that `target` is empty. Queued messages get new ids in the target (ids
 * are the target's to make) but keep their envelope, `receivedAt`, body and
 * delivery state, and are copied oldest first. The source is not changed.
 *
 * @example
 * ```ts
 * import { createMemoryStores, migrateStores } from "@tollgate/tollgate/store";
 * const source = createMemoryStores(() => Date.now());
 * await source.domains.add("example.net");
 * const counts = await migrateStores(source, createMemoryStores(() => Date.now()));
 * console.log(counts.domains); // 1
 * ```
 * @throws {TargetNotEmptyError} If the target holds anything.
 */
export async function migrateStores(source: Stores, target: Stores): Promise<MigrationCounts> {
  const occupied = await nonEmptyParts(target);
  if (occupied.length > 0) throw new TargetNotEmptyError(occupied);
  const counts: MigrationCounts = {
    domains: 0,
    users: 0,
    networks: 0,
    routes: 0,
    senderGrants: 0,
    messages: 0,
    bodyBytes: 0,
  };
  for (const domain of await source.domains.list()) {
    await target.domains.add(domain);
    counts.domains++;
  }
  for (const cidr of await source.networks.list()) {
    await target.networks.add(cidr);
    counts.networks++;
  }
  const routes = await source.routes.list();
  await target.routes.putAll(routes);
  counts.routes = routes.length;
  let cursor: string | undefined;
  do {
    const page = await source.users.list({ limit: PAGE, cursor });
    for (const user of page.items) {
      await target.users.put(user);
      counts.users++;
      for (const entry of await source.senders.list(user.address)) {
        await target.senders.add(user.address, entry);
        counts.senderGrants++;
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  await copyQueue(source, target, counts);
  return counts;
}

async function copyQueue(source: Stores, target: Stores, counts: MigrationCounts): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await source.queue.list({ limit: PAGE, cursor });
    for (const message of page.items) {
      const delivery = await source.queue.delivery(message.id);
      const writer = await target.queue.create();
      try {
        for await (const chunk of source.queue.readBody(message.id)) {
          await writer.write(chunk);
          counts.bodyBytes += chunk.byteLength;
        }
        const { id: _id, size: _size, ...envelope } = message;
        const copied = await writer.commit(envelope);
        if (delivery !== undefined) await target.queue.update(copied.id, delivery);
      } catch (error) {
        await writer.abort();
        throw error;
      }
      counts.messages++;
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
}
