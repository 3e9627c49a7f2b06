/**
 * Credential checks queue per client: each client address (an IPv6 /64)
 * runs at most a few password hashes at once, and its further attempts wait
 * their turn. A burst of guesses from one address then cannot put hundreds
 * of hashes ahead of everyone else's login, and a busy office behind one NAT
 * still gets every login checked, only in turn.
 *
 * @module
 */
import { clientGroup } from "../auth/client_group.ts";
import { Semaphore } from "../delivery/_semaphore.ts";

/**
 * Runs credential checks with at most `perClient` at once per client group.
 *
 * @example
 * ```ts
 * import { ClientCheckQueue } from "@tollgate/tollgate/server";
 * const checks = new ClientCheckQueue(2);
 * console.log(await checks.run("192.0.2.1", () => Promise.resolve("checked"))); // "checked"
 * ```
 */
export class ClientCheckQueue {
  readonly #perClient: number;
  /** Client group → its slots and how many checks hold or wait for one. */
  readonly #clients = new Map<string, { slots: Semaphore; users: number }>();

  /** Allows `perClient` checks at once from one client group. */
  constructor(perClient: number) {
    this.#perClient = perClient;
  }

  /** Runs `check` once the client has a free slot; forgets the client when it has none waiting. */
  async run<T>(clientAddress: string, check: () => Promise<T>): Promise<T> {
    const group = clientGroup(clientAddress);
    const client = this.#clients.get(group) ?? { slots: new Semaphore(this.#perClient), users: 0 };
    this.#clients.set(group, client);
    client.users++;
    try {
      return await client.slots.run(check);
    } finally {
      if (--client.users === 0) this.#clients.delete(group);
    }
  }
}
