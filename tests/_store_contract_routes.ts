/**
 * The route-store half of the store contract (see `store_contract.ts`).
 *
 * @module
 */
import { deepEqual, equal } from "node:assert/strict";
import type { Route } from "../delivery/routes.ts";
import { type OpenStores, withStores } from "./_store_helpers.ts";
import { test } from "./_portable.ts";

function route(pattern: string, extra: Partial<Route> = {}): Route {
  return { pattern, relay: "mail.provider.de", tls: "starttls", ...extra };
}

const FULL: Route = {
  pattern: ".testdomain.de",
  relay: "mail.provider.de",
  port: 587,
  username: "trottel",
  password: "ich",
  tls: "starttls",
  mechanisms: ["CRAM-MD5", "PLAIN"],
};

const OAUTH: Route = {
  pattern: "*",
  relay: "smtp.office365.com",
  port: 587,
  username: "mailbox@contoso.example",
  tls: "starttls",
  oauth2: {
    mechanism: "xoauth2",
    tokenUrl: "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token",
    clientId: "00000000-0000-0000-0000-000000000001",
    clientSecret: "s3cr3t",
    scope: "https://outlook.office365.com/.default",
  },
};

/** Registers the route tests of the contract. */
export function registerRouteContract(name: string, open: OpenStores): void {
  test(`${name}: routes put, get, list sorted by pattern, replace, remove`, () =>
    withStores(open, async ({ routes }) => {
      deepEqual(await routes.list(), []);
      equal(await routes.get("*"), undefined);
      await routes.put(route("testdomain.de"));
      await routes.put(FULL);
      await routes.put(route("*", { relay: "smarthost.example" }));
      await routes.put({ pattern: "example.net", tls: "opportunistic" });
      deepEqual((await routes.list()).map((r) => r.pattern), [
        "*",
        ".testdomain.de",
        "example.net",
        "testdomain.de",
      ]);
      deepEqual(await routes.get(".testdomain.de"), FULL);
      deepEqual(await routes.get("example.net"), { pattern: "example.net", tls: "opportunistic" });
      equal(await routes.get("testdomain.de."), undefined);
      await routes.put(route("*", { relay: "other.example", port: 465, tls: "implicit" }));
      deepEqual(
        await routes.get("*"),
        route("*", { relay: "other.example", port: 465, tls: "implicit" }),
      );
      equal(await routes.remove("*"), true);
      equal(await routes.remove("*"), false);
      equal(await routes.get("*"), undefined);
      equal((await routes.list()).length, 3);
    }));

  test(`${name}: routes keep no undefined fields and no stray properties`, () =>
    withStores(open, async ({ routes }) => {
      const withExtras = { ...route("example.net"), port: undefined, note: "stray" } as Route;
      await routes.put(withExtras);
      const stored = await routes.get("example.net");
      deepEqual(stored, route("example.net"));
      deepEqual(Object.keys(stored!).sort(), ["pattern", "relay", "tls"]);
    }));

  test(`${name}: routes are copied in and out`, () =>
    withStores(open, async ({ routes }) => {
      const original = structuredClone(FULL);
      await routes.put(original);
      original.mechanisms!.push("LOGIN");
      original.password = "changed-after-put";
      const fetched = await routes.get(FULL.pattern);
      fetched!.mechanisms!.push("LOGIN");
      (await routes.list())[0].relay = "changed-after-list";
      deepEqual(await routes.get(FULL.pattern), FULL);
    }));

  test(`${name}: routes putAll adds and replaces in one step`, () =>
    withStores(open, async ({ routes }) => {
      await routes.put(route("keep.example"));
      await routes.put(route("testdomain.de", { relay: "old.example" }));
      await routes.putAll([route("testdomain.de"), FULL, route("*")]);
      deepEqual(await routes.list(), [
        route("*"),
        FULL,
        route("keep.example"),
        route("testdomain.de"),
      ]);
      await routes.putAll([]);
      equal((await routes.list()).length, 4);
    }));

  test(`${name}: routes keep OAuth 2.0 settings, copied in and out`, () =>
    withStores(open, async ({ routes }) => {
      const original = structuredClone(OAUTH);
      await routes.put(original);
      original.oauth2!.clientSecret = "changed-after-put";
      deepEqual(await routes.get("*"), OAUTH);
      const google = {
        ...OAUTH,
        pattern: "gmail.example",
        oauth2: { ...OAUTH.oauth2!, mechanism: "oauthbearer" as const, refreshToken: "1//r" },
      };
      await routes.putAll([google]);
      const listed = await routes.list();
      deepEqual(listed, [OAUTH, google]);
      listed[1].oauth2!.refreshToken = "changed-after-list";
      deepEqual(await routes.get("gmail.example"), google);
    }));
}
