/**
 * The store contract on the KV backend opened by `@deno/kv`'s `openKv`: under
 * Node.js (`node_runtime_test.ts`) that is the package's native addon (SQLite
 * through Node-API), under Deno the package hands over to the built-in KV.
 * Either way `createKvStores` takes the database as it comes, without a cast.
 *
 * @module
 */
import { deepEqual, ok } from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openKv } from "@deno/kv";
import { createKvStores } from "../store/kv/mod.ts";
import { getEntries, listEntries } from "../store/kv/kv_port.ts";
import { runStoreContract } from "./store_contract.ts";
import { test } from "./_portable.ts";

runStoreContract("kv npm :memory:", async () => {
  const kv = await openKv(":memory:");
  return { stores: createKvStores(kv, Date.now), close: () => kv.close() };
});

runStoreContract("kv npm file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-kv-npm-"));
  const kv = await openKv(join(dir, "store.kv"));
  return {
    stores: createKvStores(kv, Date.now),
    close: async () => {
      kv.close();
      await rm(dir, { recursive: true });
    },
  };
});

// Under Node.js `@deno/kv` reads bytes back as a `Buffer` (a `Uint8Array` subclass), so the
// checks compare the bytes, not the class.
test("kv npm: reads come back in the order asked, keys in key order, bytes as written", async () => {
  const kv = await openKv(":memory:");
  try {
    await kv.set(["n", 2], new Uint8Array([2]));
    await kv.set(["n", 1], new Uint8Array([1]));
    const read = await getEntries<Uint8Array>(kv, [["n", 2], ["n", 3], ["n", 1]]);
    deepEqual(read.map((entry) => entry.value && [...entry.value]), [[2], null, [1]]);
    ok(read[0].value instanceof Uint8Array);
    const listed = [];
    for await (const entry of listEntries<Uint8Array>(kv, { prefix: ["n"] })) {
      listed.push(entry.key);
    }
    deepEqual(listed, [["n", 1], ["n", 2]]);
  } finally {
    kv.close();
  }
});
