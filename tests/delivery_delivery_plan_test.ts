import { deepEqual } from "node:assert/strict";
import { destinationOf, planDeliveries } from "../delivery/delivery_plan.ts";
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
