import { deepEqual, equal } from "node:assert/strict";
import { DeliveryWorker } from "../delivery/delivery_worker.ts";
import type { OutboundMessage } from "../delivery/outbound_types.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import type { DeliveryLeases, MessageQueue, Stores } from "../store/types.ts";

/** Leases over a memory queue, as PostgreSQL keeps them, with every call recorded. */
function memoryLeases(queue: MessageQueue) {
  const held = new Map<string, { owner: string; until: number }>();
  const calls: string[] = [];
  const leases: DeliveryLeases = {
    async claim(owner, now, { limit, leaseMs }) {
      const free = (await queue.due(now, 1000))
        .filter((item) => (held.get(item.message.id)?.until ?? 0) <= now)
        .slice(0, limit);
      for (const item of free) held.set(item.message.id, { owner, until: now + leaseMs });
      calls.push(`claim ${owner} ${free.length}`);
      return free.map((item) => ({ ...item, leaseUntil: now + leaseMs }));
    },
    renew(id, owner, until) {
      const lease = held.get(id);
      calls.push(`renew ${owner}`);
      if (lease?.owner !== owner) return Promise.resolve(false);
      lease.until = until;
      return Promise.resolve(true);
    },
    async release(id, owner, outcome) {
      calls.push(`release ${owner} ${outcome.kind}`);
      if (held.get(id)?.owner !== owner) return false;
      held.delete(id);
      if (outcome.kind === "remove") return await queue.remove(id);
      return await queue.update(id, outcome.delivery);
    },
  };
  return { leases, held, calls };
}

function node(stores: Stores, leases: DeliveryLeases, owner: string, delivered: string[]) {
  const deliver = async (_target: unknown, messages: OutboundMessage[]) => {
    await new Promise((resolve) => setTimeout(resolve, 120)); // longer than the lease
    for (const message of messages) delivered.push(`${owner} ${message.to[0]}`);
    return messages.map((m) =>
      m.to.map((address) => ({ address, status: "delivered" as const, reply: "250 ok" }))
    );
  };
  return new DeliveryWorker({
    stores,
    hostname: "mail.domain.de",
    deliverLocal: () => Promise.reject(new Error("no local mail here")),
    policy: { schedule: [60_000], lifetimeMs: 3_600_000 },
    concurrency: 4,
    maxInFlight: 2,
    deliver,
    lookup: () => Promise.resolve({ kind: "temporary", reply: "no DNS here" }),
    log: () => {},
    leases: { store: leases, owner, leaseMs: 45 },
  });
}

Deno.test("worker with leases: two nodes share a queue, renew past the lease, deliver each once", async () => {
  const stores = createMemoryStores(Date.now);
  await stores.routes.put({ pattern: "*", relay: "relay.example.net", port: 25, tls: "none" });
  for (let n = 0; n < 6; n++) {
    const writer = await stores.queue.create();
    await writer.write(new TextEncoder().encode("Subject: x\r\n\r\nx\r\n"));
    await writer.commit({
      from: "a@domain.de",
      to: [`r${n}@example.net`],
      clientAddress: "192.0.2.1",
      helo: "client.test",
      receivedAt: Date.now(),
    });
  }
  const { leases, held, calls } = memoryLeases(stores.queue);
  const delivered: string[] = [];
  const a = node(stores, leases, "node-a", delivered);
  const b = node(stores, leases, "node-b", delivered);
  while ((await stores.queue.due(Date.now() + 1, 10)).length > 0 || held.size > 0) {
    await Promise.all([a.runOnce(), b.runOnce()]);
  }
  deepEqual(
    delivered.map((line) => line.split(" ")[1]).sort(),
    [0, 1, 2, 3, 4, 5].map((n) => `r${n}@example.net`),
    "every message once, though each delivery outlasted the lease",
  );
  equal(new Set(delivered.map((line) => line.split(" ")[0])).size, 2, "both nodes delivered");
  equal(calls.some((call) => call.startsWith("renew")), true, "leases were renewed");
  // Each claims up to 2 × maxInFlight and gives back what it has no room for, unchanged.
  equal(calls.filter((call) => call.endsWith(" update")).length > 0, true, calls.join("\n"));
  equal(calls.filter((call) => call.endsWith(" remove")).length, 6);
  equal((await stores.queue.list({ limit: 10 })).items.length, 0);
});
