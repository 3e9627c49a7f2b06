/**
 * The DKIM-key half of the store contract (see `store_contract.ts`).
 *
 * @module
 */
import { deepEqual, equal } from "node:assert/strict";
import type { DkimKey } from "../store/dkim_keys.ts";
import { type OpenStores, withStores } from "./_store_helpers.ts";
import { test } from "./_portable.ts";

const key = (domain: string, selector: string, createdAt = 1): DkimKey => ({
  domain,
  selector,
  algorithm: selector.endsWith("-ed") ? "ed25519-sha256" : "rsa-sha256",
  privateKey: `private ${domain} ${selector}`,
  publicKey: `public ${domain} ${selector}`,
  createdAt,
});

/** Registers the DKIM key tests of the contract. */
export function registerDkimContract(name: string, open: OpenStores): void {
  test(`${name}: dkim keys put, list sorted, get per domain, replace, remove`, () =>
    withStores(open, async ({ dkim }) => {
      deepEqual(await dkim.list(), []);
      deepEqual(await dkim.get("domain.de"), []);
      await dkim.put(key("domain.de", "s2-rsa"));
      await dkim.put(key("domain.de", "s1-ed"));
      await dkim.put(key("b.example", "s1-rsa"));
      await dkim.put(key("domain.de", "s1-rsa", 1_790_000_000_000));
      await dkim.put(key("domain.de.evil", "s1-rsa"));
      deepEqual((await dkim.list()).map((k) => `${k.domain}/${k.selector}`), [
        "b.example/s1-rsa",
        "domain.de/s1-ed",
        "domain.de/s1-rsa",
        "domain.de/s2-rsa",
        "domain.de.evil/s1-rsa",
      ]);
      deepEqual(await dkim.get("domain.de"), [
        key("domain.de", "s1-ed"),
        key("domain.de", "s1-rsa", 1_790_000_000_000),
        key("domain.de", "s2-rsa"),
      ]);
      await dkim.put({ ...key("domain.de", "s1-rsa", 5), publicKey: "replaced" });
      deepEqual((await dkim.get("domain.de"))[1], {
        ...key("domain.de", "s1-rsa", 5),
        publicKey: "replaced",
      });
      equal(await dkim.remove("domain.de", "s2-rsa"), true);
      equal(await dkim.remove("domain.de", "s2-rsa"), false);
      equal(await dkim.removeDomain("domain.de"), 2);
      equal(await dkim.removeDomain("domain.de"), 0);
      deepEqual((await dkim.list()).map((k) => k.domain), ["b.example", "domain.de.evil"]);
    }));

  test(`${name}: dkim keys returned are copies`, () =>
    withStores(open, async ({ dkim }) => {
      await dkim.put(key("domain.de", "s1-rsa"));
      (await dkim.get("domain.de"))[0].selector = "changed";
      (await dkim.list()).push(key("x.example", "s"));
      deepEqual(await dkim.list(), [key("domain.de", "s1-rsa")]);
    }));
}
