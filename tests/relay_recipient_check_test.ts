import { deepEqual, equal, rejects } from "node:assert/strict";
import { checkRecipient, type RecipientStores } from "../relay/recipient_check.ts";
import type { RecipientVerdict } from "../relay/verdict.ts";
import { createMemoryStores } from "../store/memory/stores.ts";

const LOCAL: RecipientVerdict = { kind: "accept", because: "local" };
const AUTHENTICATED: RecipientVerdict = { kind: "accept", because: "authenticated" };
const TRUSTED: RecipientVerdict = { kind: "accept", because: "trusted-network" };
const UNKNOWN: RecipientVerdict = { kind: "unknown-user" };
const DENIED: RecipientVerdict = { kind: "relay-denied" };

const FOREIGN_CLIENT = "203.0.113.5";

async function configuredStores(): Promise<RecipientStores> {
  const stores = createMemoryStores(() => 0);
  await stores.domains.add("example.net");
  await stores.domains.add(".example.org");
  for (const address of ["test@example.net", "postmaster@mx.example.org"]) {
    await stores.users.put({ address, passwordHash: "$scrypt$unused", updatedAt: 0 });
  }
  await stores.networks.add("192.0.2.0/24");
  await stores.networks.add("2001:db8::/32");
  return stores;
}

/** Wraps each store so that every method call is recorded as `store.method(args)`. */
function recording(stores: RecipientStores, calls: string[]): RecipientStores {
  function wrap<T extends object>(name: string, target: T): T {
    return new Proxy(target, {
      get(object, key) {
        const value = Reflect.get(object, key);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(key)}(${args.join(",")})`);
          return value.apply(object, args);
        };
      },
    });
  }
  return {
    domains: wrap("domains", stores.domains),
    users: wrap("users", stores.users),
    networks: wrap("networks", stores.networks),
  };
}

Deno.test("checkRecipient: local users, unknown users and relaying", async () => {
  const stores = await configuredStores();
  const cases: [string, string, string | undefined, RecipientVerdict][] = [
    ["test@example.net", FOREIGN_CLIENT, undefined, LOCAL],
    ["TEST@Example.NET", FOREIGN_CLIENT, undefined, LOCAL],
    ["test@example.net.", FOREIGN_CLIENT, undefined, LOCAL],
    ["test@example.net", "192.0.2.9", "test@example.net", LOCAL],
    ["nobody@example.net", FOREIGN_CLIENT, undefined, UNKNOWN],
    ["nobody@example.net", FOREIGN_CLIENT, "test@example.net", UNKNOWN],
    ["nobody@example.net", "192.0.2.9", undefined, UNKNOWN],
    ["postmaster@mx.example.org", FOREIGN_CLIENT, undefined, LOCAL],
    ["postmaster@MX.example.org.", FOREIGN_CLIENT, undefined, LOCAL],
    ["test@sub.example.net", FOREIGN_CLIENT, undefined, DENIED],
    ["postmaster@example.org", FOREIGN_CLIENT, undefined, DENIED],
    ["test@example.net.evil.test", FOREIGN_CLIENT, undefined, DENIED],
    ["someone@example.com", FOREIGN_CLIENT, undefined, DENIED],
    ["someone@example.com", FOREIGN_CLIENT, "", DENIED],
    ["someone@example.com", FOREIGN_CLIENT, "test@example.net", AUTHENTICATED],
    ["someone@example.com", "192.0.2.9", "test@example.net", AUTHENTICATED],
    ["someone@example.com", "192.0.2.9", undefined, TRUSTED],
    ["someone@example.com", "::ffff:192.0.2.9", undefined, TRUSTED],
    ["someone@example.com", "2001:db8::25", undefined, TRUSTED],
    ["someone@example.com", "192.0.3.9", undefined, DENIED],
    ['"test@example.net"@example.com', FOREIGN_CLIENT, undefined, DENIED],
    ["someone@[192.0.2.1]", FOREIGN_CLIENT, undefined, DENIED],
    ["someone@[192.0.2.1]", "192.0.2.9", undefined, TRUSTED],
  ];
  for (const [recipient, clientAddress, authenticatedUser, expected] of cases) {
    const verdict = await checkRecipient({ recipient, clientAddress, authenticatedUser }, stores);
    deepEqual(verdict, expected, `${recipient} from ${clientAddress} as ${authenticatedUser}`);
  }
});

Deno.test("checkRecipient reads only what the decision needs", async () => {
  const cases: [string, string | undefined, string[]][] = [
    ["Test@Example.NET", undefined, ["domains.has(example.net)", "users.get(test@example.net)"]],
    ["nobody@a.example.org", "test@example.net", [
      "domains.has(a.example.org)",
      "domains.has(.example.org)",
      "users.get(nobody@a.example.org)",
    ]],
    ["someone@mail.example.com", "test@example.net", [
      "domains.has(mail.example.com)",
      "domains.has(.example.com)",
      "domains.has(.com)",
    ]],
    ["someone@example.com", undefined, [
      "domains.has(example.com)",
      "domains.has(.com)",
      "networks.list()",
    ]],
    ["someone@[192.0.2.1]", undefined, ["networks.list()"]],
  ];
  for (const [recipient, authenticatedUser, expectedCalls] of cases) {
    const calls: string[] = [];
    const stores = recording(await configuredStores(), calls);
    await checkRecipient({ recipient, clientAddress: "192.0.2.9", authenticatedUser }, stores);
    deepEqual(calls, expectedCalls, recipient);
  }
});

Deno.test("checkRecipient: a failing store gives temporary-failure, never accept", async () => {
  const broken = (how: "throw" | "reject") => () => {
    if (how === "throw") throw new Error("disk on fire");
    return Promise.reject(new Error("disk on fire"));
  };
  for (const how of ["throw", "reject"] as const) {
    const cases: [keyof RecipientStores, string, string | undefined, string, string][] = [
      ["domains", "has", undefined, "test@example.net", "domain store failed: disk on fire"],
      ["domains", "has", "test@example.net", "x@example.com", "domain store failed: disk on fire"],
      ["users", "get", undefined, "test@example.net", "user store failed: disk on fire"],
      ["users", "get", "test@example.net", "test@example.net", "user store failed: disk on fire"],
      ["networks", "list", undefined, "x@example.com", "network store failed: disk on fire"],
    ];
    for (const [store, method, authenticatedUser, recipient, reason] of cases) {
      const stores = await configuredStores();
      Object.assign(stores[store], { [method]: broken(how) });
      const verdict = await checkRecipient(
        { recipient, clientAddress: "192.0.2.9", authenticatedUser },
        stores,
      );
      deepEqual(verdict, { kind: "temporary-failure", reason }, `${how} ${store} ${recipient}`);
    }
  }
});

Deno.test("checkRecipient: a thrown non-Error still gives temporary-failure", async () => {
  const stores = await configuredStores();
  Object.assign(stores.networks, { list: () => Promise.reject("timeout") });
  const verdict = await checkRecipient(
    { recipient: "x@example.com", clientAddress: "192.0.2.9" },
    stores,
  );
  deepEqual(verdict, { kind: "temporary-failure", reason: "network store failed: timeout" });
});

Deno.test("checkRecipient rejects a recipient that is not local@domain", async () => {
  const stores = await configuredStores();
  for (const recipient of ["postmaster", "@example.net", "test@", ""]) {
    await rejects(
      checkRecipient({ recipient, clientAddress: FOREIGN_CLIENT }, stores),
      new TypeError(`Cannot check recipient: not local@domain: "${recipient}"`),
    );
  }
  equal(
    (await checkRecipient({ recipient: "a@b@example.net", clientAddress: "" }, stores)).kind,
    "unknown-user",
  );
});
