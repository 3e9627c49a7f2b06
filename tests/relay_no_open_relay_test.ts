/**
 * The property that matters most: no configuration mistake makes Tollgate an
 * open relay. An unauthenticated client outside a (valid) trusted network
 * never gets an accept for a recipient that is not a known local user.
 */
import { deepEqual, notEqual } from "node:assert/strict";
import { checkRecipient } from "../relay/recipient_check.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import type { Stores } from "../store/types.ts";
import { test } from "./_portable.ts";

const CLIENT_ADDRESSES = [
  "127.0.0.1",
  "127.0.0.2",
  "::1",
  "0.0.0.0",
  "::",
  "::ffff:127.0.0.1",
  "::ffff:0.0.0.0",
  "255.255.255.255",
  "10.0.0.1",
  "192.168.1.1",
  "203.0.113.5",
  "2001:db8::1",
  "fe80::1%lo",
  "",
  "localhost",
  "not an address",
];

const FOREIGN_RECIPIENTS = [
  "someone@example.com",
  "someone@EXAMPLE.COM.",
  "someone@localhost",
  "someone@[127.0.0.1]",
  "someone@[IPv6:::1]",
  '"someone@example.net"@example.com',
  "someone@example.net@example.com",
  "someone@com",
];

/** Entries an operator (or a buggy importer writing past validation) might leave behind. */
const MISCONFIGURATIONS: { name: string; domains: string[]; networks: string[] }[] = [
  { name: "empty stores", domains: [], networks: [] },
  { name: "qmail-style .com entry", domains: [".com"], networks: [] },
  { name: "bare TLD and root entries", domains: ["com", ".", ""], networks: [] },
  { name: "entries with odd case", domains: ["Example.COM", ".EXAMPLE.COM"], networks: [] },
  {
    name: "networks normalizeCidr rejects",
    domains: [],
    networks: ["0.0.0.0/0", "::/0", "::ffff:0:0/96", "127.1/8", "0/0", "*", "", "all"],
  },
];

async function storesFor(domains: string[], networks: string[]): Promise<Stores> {
  const stores = createMemoryStores(() => 0);
  for (const domain of domains) await stores.domains.add(domain);
  for (const network of networks) await stores.networks.add(network);
  await stores.users.put({ address: "test@example.net", passwordHash: "$x", updatedAt: 0 });
  return stores;
}

test("with empty stores every foreign recipient is denied unless authenticated", async () => {
  const stores = await storesFor([], []);
  for (const clientAddress of CLIENT_ADDRESSES) {
    for (const recipient of FOREIGN_RECIPIENTS) {
      const label = `${recipient} from ${clientAddress}`;
      deepEqual(
        await checkRecipient({ recipient, clientAddress }, stores),
        { kind: "relay-denied" },
        label,
      );
      deepEqual(
        await checkRecipient(
          { recipient, clientAddress, authenticatedUser: "test@example.net" },
          stores,
        ),
        { kind: "accept", because: "authenticated" },
        label,
      );
    }
  }
});

test("no misconfiguration accepts a foreign recipient from an unauthenticated client", async () => {
  for (const { name, domains, networks } of MISCONFIGURATIONS) {
    const stores = await storesFor(domains, networks);
    for (const clientAddress of CLIENT_ADDRESSES) {
      for (const recipient of FOREIGN_RECIPIENTS) {
        const verdict = await checkRecipient({ recipient, clientAddress }, stores);
        notEqual(verdict.kind, "accept", `${name}: ${recipient} from ${clientAddress}`);
      }
    }
  }
});

test("a .com entry turns foreign .com recipients into unknown users, not relays", async () => {
  const stores = await storesFor([".com"], []);
  deepEqual(
    await checkRecipient({ recipient: "someone@example.com", clientAddress: "127.0.0.1" }, stores),
    { kind: "unknown-user" },
  );
  deepEqual(
    await checkRecipient({ recipient: "someone@example.org", clientAddress: "127.0.0.1" }, stores),
    { kind: "relay-denied" },
  );
});
