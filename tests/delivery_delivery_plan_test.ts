import { deepEqual } from "node:assert/strict";
import {
  admitDeliveries,
  type DeliveryPlan,
  destinationOf,
  planDeliveries,
  spreadJob,
} from "../delivery/delivery_plan.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import type { DueMessage, Stores } from "../store/types.ts";

async function storesWithRoutes(): Promise<Stores> {
  const stores = createMemoryStores(() => 0);
  await stores.domains.add("domain.de");
  await stores.domains.add(".domain.de");
  await stores.users.put({ address: "test@domain.de", passwordHash: "$x", updatedAt: 0 });
  await stores.users.put({ address: "sub@lists.domain.de", passwordHash: "$x", updatedAt: 0 });
  await stores.routes.put({ pattern: "testdomain.de", relay: "mail.provider.de", tls: "starttls" });
  await stores.routes.put({ pattern: ".testdomain.de", port: 2525, tls: "opportunistic" });
  return stores;
}

Deno.test("destinationOf: local users, unknown local users, relay routes, MX", async () => {
  const stores = await storesWithRoutes();
  const routes = await stores.routes.list();
  const where = (address: string) => destinationOf(address, { stores, routes });
  deepEqual(await where("Test@DOMAIN.de."), { kind: "local", mailbox: "test@domain.de" });
  deepEqual(await where("sub@lists.domain.de"), { kind: "local", mailbox: "sub@lists.domain.de" });
  deepEqual(await where("ghost@domain.de"), {
    kind: "failed",
    status: "permanent",
    reply: "550 5.1.1 Sorry, no mailbox here by that name. (#5.1.1)",
  });
  deepEqual(await where("a@testdomain.de"), {
    kind: "relay",
    route: { pattern: "testdomain.de", relay: "mail.provider.de", tls: "starttls" },
  });
  deepEqual(await where("a@sub.testdomain.de"), {
    kind: "mx",
    domain: "sub.testdomain.de",
    route: { pattern: ".testdomain.de", port: 2525, tls: "opportunistic" },
  });
  deepEqual(await where("a@Example.NET"), { kind: "mx", domain: "example.net" });
  deepEqual((await where("no-at-sign")).kind, "failed");
});

Deno.test("destinationOf: a failing store is a temporary failure, never a guess", async () => {
  const stores = await storesWithRoutes();
  const broken = {
    ...stores,
    domains: { ...stores.domains, has: () => Promise.reject(new Error("disk gone")) },
  };
  deepEqual(await destinationOf("test@domain.de", { stores: broken, routes: [] }), {
    kind: "failed",
    status: "temporary",
    reply: "451 4.3.0 domain store failed: disk gone",
  });
});

Deno.test("planDeliveries: groups by connection, skips settled recipients, lists duplicates once", async () => {
  const stores = await storesWithRoutes();
  const due = (id: string, to: string[], settled: string[] = []): DueMessage => ({
    message: {
      id,
      from: "a@x.test",
      to,
      clientAddress: "192.0.2.1",
      helo: "c",
      receivedAt: 0,
      size: 1,
    },
    delivery: {
      nextAttemptAt: 0,
      recipients: to.map((address) => ({
        address,
        status: settled.includes(address) ? "delivered" : "queued",
        attempts: 0,
      })),
    },
  });
  const plan = await planDeliveries([
    due("m1", ["a@testdomain.de", "b@testdomain.de", "a@testdomain.de", "test@domain.de"]),
    due("m2", ["c@testdomain.de", "x@example.net", "y@example.net"], ["y@example.net"]),
    due("m3", ["ghost@domain.de"]),
  ], { stores, routes: await stores.routes.list() });
  deepEqual(plan.local, [{ id: "m1", address: "test@domain.de", mailbox: "test@domain.de" }]);
  deepEqual(plan.remote.map((job) => [job.destination.kind, job.parts]), [
    ["relay", [{ id: "m1", to: ["a@testdomain.de", "b@testdomain.de"] }, {
      id: "m2",
      to: ["c@testdomain.de"],
    }]],
    ["mx", [{ id: "m2", to: ["x@example.net"] }]],
  ]);
  deepEqual(plan.settled.map(({ id, outcome }) => [id, outcome.address, outcome.status]), [
    ["m3", "ghost@domain.de", "permanent"],
  ]);
});

Deno.test("admitDeliveries: local and remote room are separate; earliest first; mixed counts as remote", () => {
  const plan: DeliveryPlan = {
    local: [
      { id: "l1", address: "a@domain.de", mailbox: "a@domain.de" },
      { id: "mixed", address: "b@domain.de", mailbox: "b@domain.de" },
      { id: "l2", address: "c@domain.de", mailbox: "c@domain.de" },
    ],
    remote: [{
      destination: { kind: "mx", domain: "example.net" },
      parts: [{ id: "r1", to: ["x@example.net"] }, { id: "mixed", to: ["y@example.net"] }],
    }],
    settled: [{ id: "s1", outcome: { address: "n@domain.de", status: "permanent", reply: "550" } }],
  };
  const ids = ["r1", "l1", "mixed", "s1", "l2"];
  const full = admitDeliveries(ids, plan, { local: 10, remote: 10 });
  deepEqual(full.local, ["l1", "s1", "l2"]);
  deepEqual(full.remote, ["r1", "mixed"]);
  deepEqual(full.plan, plan);

  const tight = admitDeliveries(ids, plan, { local: 1, remote: 0 });
  deepEqual(tight.local, ["l1"]);
  deepEqual(tight.remote, []);
  deepEqual(tight.plan, { local: [plan.local[0]], remote: [], settled: [] });

  const oneRemote = admitDeliveries(ids, plan, { local: -2, remote: 1 });
  deepEqual(oneRemote.plan.remote, [{ ...plan.remote[0], parts: [plan.remote[0].parts[0]] }]);
  deepEqual(oneRemote.plan.local, [], "the mixed message's local part waits with it");
});

Deno.test("spreadJob: a few messages share one connection; a backlog spreads evenly, in order", () => {
  const job = (count: number) => ({
    destination: { kind: "mx" as const, domain: "example.net" },
    parts: Array.from({ length: count }, (_, n) => ({ id: `m${n}`, to: ["x@example.net"] })),
  });
  const sizes = (count: number, connections: number) =>
    spreadJob(job(count), { connections, minMessagesPerConnection: 10 }).map((one) =>
      one.parts.length
    );
  deepEqual(sizes(1, 20), [1]);
  deepEqual(sizes(19, 20), [19]);
  deepEqual(sizes(20, 20), [10, 10]);
  deepEqual(sizes(200, 20), Array(20).fill(10));
  deepEqual(sizes(205, 20), [...Array(5).fill(11), ...Array(15).fill(10)]);
  deepEqual(sizes(500, 3), [167, 167, 166]);
  const spread = spreadJob(job(45), { connections: 4, minMessagesPerConnection: 10 });
  deepEqual(
    spread.flatMap((one) => one.parts.map((part) => part.id)),
    job(45).parts.map((p) => p.id),
  );
});
