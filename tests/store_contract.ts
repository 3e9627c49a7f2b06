/**
 * The one contract every store backend passes. A backend's test file calls
 * {@linkcode runStoreContract} with a function that opens a fresh, empty
 * bundle of stores; each registered test opens its own and closes it.
 *
 * @module
 */
import { deepEqual, equal, rejects } from "node:assert/strict";
import type { UserRecord } from "../store/types.ts";
import { registerDeliveryContract } from "./_store_contract_delivery.ts";
import { type OpenLoginAttempts, registerLoginAttemptContract } from "./_store_contract_login.ts";
import { registerQueueContract } from "./_store_contract_queue.ts";
import { registerQueueStatsContract } from "./_store_contract_stats.ts";
import { registerRouteContract } from "./_store_contract_routes.ts";
import { registerSenderContract } from "./_store_contract_senders.ts";
import { registerDkimContract } from "./_store_contract_dkim.ts";
import { type OpenStores, withStores } from "./_store_helpers.ts";
import { test } from "./_portable.ts";

export type { OpenLoginAttempts, OpenStores };

/**
 * Registers the whole contract suite for one backend, test names prefixed
 * with `name`. The login-attempt part runs on `loginAttempts` when given:
 * an opener, or `"bundled"` for the bundle's own (a backend that shares them).
 */
export function runStoreContract(
  name: string,
  open: OpenStores,
  loginAttempts?: OpenLoginAttempts | "bundled",
): void {
  registerListContract(name, open);
  registerUserContract(name, open);
  registerQueueContract(name, open);
  registerQueueStatsContract(name, open);
  registerRouteContract(name, open);
  registerDeliveryContract(name, open);
  registerSenderContract(name, open);
  registerDkimContract(name, open);
  if (loginAttempts === undefined) return;
  registerLoginAttemptContract(
    name,
    loginAttempts === "bundled" ? () => bundledAttempts(open) : loginAttempts,
  );
}

async function bundledAttempts(open: OpenStores) {
  const { stores, close } = await open();
  if (stores.loginAttempts === undefined) {
    await close();
    throw new Error("this backend keeps no login attempts: pass openLoginAttempts");
  }
  return { attempts: stores.loginAttempts, close };
}

function registerListContract(name: string, open: OpenStores): void {
  test(`${name}: domains add, has, list sorted, remove`, () =>
    withStores(open, async ({ domains }) => {
      deepEqual(await domains.list(), []);
      equal(await domains.has("example.net"), false);
      await domains.add("example.net");
      await domains.add(".example.com");
      await domains.add("b.example");
      await domains.add("example.net");
      deepEqual(await domains.list(), [".example.com", "b.example", "example.net"]);
      equal(await domains.has("example.net"), true);
      equal(await domains.has(".example.com"), true);
      equal(await domains.has("example.com"), false);
      equal(await domains.has("Example.net"), false);
      equal(await domains.remove("example.net"), true);
      equal(await domains.remove("example.net"), false);
      equal(await domains.has("example.net"), false);
      deepEqual(await domains.list(), [".example.com", "b.example"]);
    }));

  test(`${name}: domains list returns a copy`, () =>
    withStores(open, async ({ domains }) => {
      await domains.add("example.net");
      (await domains.list()).push("intruder.example");
      deepEqual(await domains.list(), ["example.net"]);
    }));

  test(`${name}: networks add, list sorted, remove`, () =>
    withStores(open, async ({ networks }) => {
      deepEqual(await networks.list(), []);
      await networks.add("198.51.100.0/24");
      await networks.add("2001:db8::/32");
      await networks.add("192.0.2.0/24");
      await networks.add("192.0.2.0/24");
      deepEqual(await networks.list(), ["192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"]);
      equal(await networks.remove("198.51.100.0/24"), true);
      equal(await networks.remove("198.51.100.0/24"), false);
      deepEqual(await networks.list(), ["192.0.2.0/24", "2001:db8::/32"]);
    }));
}

function user(address: string, extra: Partial<UserRecord> = {}): UserRecord {
  return { address, passwordHash: `$scrypt$ln=15,r=8,p=1$salt$${address}`, updatedAt: 1, ...extra };
}

function registerUserContract(name: string, open: OpenStores): void {
  test(`${name}: users put, get, replace, remove`, () =>
    withStores(open, async ({ users }) => {
      equal(await users.get("test@domain.de"), undefined);
      await users.put(user("test@domain.de"));
      deepEqual(await users.get("test@domain.de"), user("test@domain.de"));
      const replaced = user("test@domain.de", {
        passwordHash: "$new",
        cramMd5Secret: "ab",
        updatedAt: 2,
      });
      await users.put(replaced);
      deepEqual(await users.get("test@domain.de"), replaced);
      await users.put(user("test@domain.de", { passwordHash: "$newer", updatedAt: 3 }));
      const current = await users.get("test@domain.de");
      deepEqual(current, user("test@domain.de", { passwordHash: "$newer", updatedAt: 3 }));
      equal(current !== undefined && "cramMd5Secret" in current, false);
      equal(await users.get("TEST@domain.de"), undefined);
      equal(await users.remove("test@domain.de"), true);
      equal(await users.remove("test@domain.de"), false);
      equal(await users.get("test@domain.de"), undefined);
      deepEqual(await users.list({ limit: 10 }), { items: [] });
    }));

  test(`${name}: users are copied in and out`, () =>
    withStores(open, async ({ users }) => {
      const original = user("a@example.net");
      await users.put(original);
      original.passwordHash = "$changed-after-put";
      const fetched = await users.get("a@example.net");
      deepEqual(fetched, user("a@example.net"));
      fetched!.passwordHash = "$changed-after-get";
      (await users.list({ limit: 1 })).items[0].passwordHash = "$changed-after-list";
      deepEqual(await users.get("a@example.net"), user("a@example.net"));
    }));

  test(`${name}: users list pages by address with a cursor`, () =>
    withStores(open, async ({ users }) => {
      const addresses = ["g@x.de", "a@x.de", "e@x.de", "c@x.de", "b@x.de", "f@x.de", "d@x.de"];
      for (const address of addresses) await users.put(user(address));
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await users.list({ limit: 3, cursor });
        pages.push(page.items.map((u) => u.address));
        cursor = page.cursor;
      } while (cursor !== undefined);
      deepEqual(pages, [["a@x.de", "b@x.de", "c@x.de"], ["d@x.de", "e@x.de", "f@x.de"], [
        "g@x.de",
      ]]);
      deepEqual((await users.list({ limit: 3 })).items[0], user("a@x.de"));
    }));

  test(`${name}: users list has no cursor when the last page is full`, () =>
    withStores(open, async ({ users }) => {
      for (const address of ["a@x.de", "b@x.de", "c@x.de", "d@x.de"]) {
        await users.put(user(address));
      }
      const first = await users.list({ limit: 2 });
      equal(first.cursor, "b@x.de");
      const second = await users.list({ limit: 2, cursor: first.cursor });
      deepEqual(second, { items: [user("c@x.de"), user("d@x.de")] });
    }));

  test(`${name}: users list continues after a cursor that was removed`, () =>
    withStores(open, async ({ users }) => {
      for (const address of ["a@x.de", "b@x.de", "c@x.de"]) await users.put(user(address));
      const first = await users.list({ limit: 2 });
      equal(await users.remove("b@x.de"), true);
      const second = await users.list({ limit: 2, cursor: first.cursor });
      deepEqual(second.items.map((u) => u.address), ["c@x.de"]);
    }));

  test(`${name}: users list rejects a limit below one`, () =>
    withStores(open, async ({ users }) => {
      await rejects(users.list({ limit: 0 }), RangeError);
      await rejects(users.list({ limit: 1.5 }), RangeError);
    }));
}
