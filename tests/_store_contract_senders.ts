/**
 * The sender-store half of the store contract (see `store_contract.ts`).
 *
 * @module
 */
import { deepEqual, equal } from "node:assert/strict";
import { type OpenStores, withStores } from "./_store_helpers.ts";
import { test } from "./_portable.ts";

/** Registers the sender-grant tests of the contract. */
export function registerSenderContract(name: string, open: OpenStores): void {
  test(`${name}: senders add, list sorted per user, remove`, () =>
    withStores(open, async ({ senders }) => {
      deepEqual(await senders.list("test@domain.de"), []);
      await senders.add("test@domain.de", "info@domain.de");
      await senders.add("test@domain.de", "@shop.domain.de");
      await senders.add("test@domain.de", "abuse@domain.de");
      await senders.add("test@domain.de", "info@domain.de");
      await senders.add("other@domain.de", "sales@domain.de");
      deepEqual(await senders.list("test@domain.de"), [
        "@shop.domain.de",
        "abuse@domain.de",
        "info@domain.de",
      ]);
      deepEqual(await senders.list("other@domain.de"), ["sales@domain.de"]);
      equal(await senders.remove("test@domain.de", "info@domain.de"), true);
      equal(await senders.remove("test@domain.de", "info@domain.de"), false);
      equal(await senders.remove("other@domain.de", "abuse@domain.de"), false);
      deepEqual(await senders.list("test@domain.de"), ["@shop.domain.de", "abuse@domain.de"]);
      deepEqual(await senders.list("other@domain.de"), ["sales@domain.de"]);
    }));

  test(`${name}: senders of one user never show under a user whose name is its prefix`, () =>
    withStores(open, async ({ senders }) => {
      await senders.add("test@domain.de.evil", "@evil.example");
      await senders.add("test@domain.dex", "x@domain.dex");
      deepEqual(await senders.list("test@domain.de"), []);
      deepEqual(await senders.list("TEST@domain.de.evil"), []);
      deepEqual(await senders.list("test@domain.de.evil"), ["@evil.example"]);
    }));

  test(`${name}: senders list returns a copy`, () =>
    withStores(open, async ({ senders }) => {
      await senders.add("test@domain.de", "info@domain.de");
      (await senders.list("test@domain.de")).push("@intruder.example");
      deepEqual(await senders.list("test@domain.de"), ["info@domain.de"]);
    }));
}
