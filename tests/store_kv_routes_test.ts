import { deepEqual, equal, rejects } from "node:assert/strict";
import { openKvStores } from "../runtime/deno/kv_open.ts";
import type { Route } from "../delivery/routes.ts";

const route = (pattern: string): Route => ({ pattern, relay: "relay.example", tls: "starttls" });

Deno.test("kv routes: putAll refuses more than one commit can hold, writing nothing", async () => {
  const { stores, close } = await openKvStores(":memory:");
  try {
    const many = Array.from({ length: 1001 }, (_, n) => route(`d${n}.example`));
    await rejects(stores.routes.putAll(many), RangeError);
    deepEqual(await stores.routes.list(), []);
    await stores.routes.putAll(many.slice(0, 1000));
    equal((await stores.routes.list()).length, 1000);
  } finally {
    close();
  }
});

Deno.test("kv routes: a reopened file keeps the routes, passwords included", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-kv-routes-" });
  try {
    const saved: Route = { ...route("*"), username: "trottel", password: "ich", port: 587 };
    const first = await openKvStores(`${dir}/store.kv`);
    await first.stores.routes.put(saved);
    first.close();
    const second = await openKvStores(`${dir}/store.kv`);
    try {
      deepEqual(await second.stores.routes.list(), [saved]);
    } finally {
      second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
