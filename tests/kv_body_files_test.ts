import { deepEqual, equal, notEqual, rejects } from "node:assert/strict";
import { FolderSync } from "../deno/body_files.ts";
import { openKvStores } from "../deno/kv_stores.ts";
import type { Stores } from "../store/types.ts";
import { CHUNK, envelope, readAll, testBytes } from "./_store_helpers.ts";

/** KV stores in a temp folder with body files; the folder is removed afterwards. */
async function withBodyFiles(
  body: (context: { stores: Stores; dir: string; bodyDir: string }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-bodies-" });
  const bodyDir = `${dir}/bodies`;
  const opened = await openKvStores(`${dir}/store.kv`, { bodyDir });
  try {
    await body({ stores: opened.stores, dir, bodyDir });
  } finally {
    opened.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function fileNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

async function spoolChunkCount(dir: string): Promise<number> {
  const kv = await Deno.openKv(`${dir}/store.kv`);
  try {
    let count = 0;
    for await (const _ of kv.list({ prefix: ["spool"] })) count++;
    return count;
  } finally {
    kv.close();
  }
}

async function queue(stores: Stores, body: Uint8Array): Promise<string> {
  const writer = await stores.queue.create();
  await writer.write(body);
  return (await writer.commit(envelope())).id;
}

Deno.test("body files: one chunk stays in KV, a larger body goes to a file of its own", async () => {
  await withBodyFiles(async ({ stores, dir, bodyDir }) => {
    const small = testBytes(CHUNK);
    const large = testBytes(CHUNK + 1, 7);
    const smallId = await queue(stores, small);
    const largeId = await queue(stores, large);
    deepEqual(await fileNames(bodyDir), [largeId]);
    equal(await spoolChunkCount(dir), 1, "only the small body is in KV");
    deepEqual(await readAll(stores.queue.readBody(smallId)), small);
    deepEqual(await readAll(stores.queue.readBody(largeId)), large);
    equal((await stores.queue.get(largeId))?.size, CHUNK + 1);
  });
});

Deno.test("body files: an aborted message leaves no file", async () => {
  await withBodyFiles(async ({ stores, bodyDir }) => {
    const writer = await stores.queue.create();
    await writer.write(testBytes(3 * CHUNK));
    deepEqual(await fileNames(bodyDir), [writer.id]);
    await writer.abort();
    deepEqual(await fileNames(bodyDir), []);
    equal((await stores.queue.list({ limit: 10 })).items.length, 0);
  });
});

Deno.test("body files: removing a message deletes its file", async () => {
  await withBodyFiles(async ({ stores, bodyDir }) => {
    const id = await queue(stores, testBytes(2 * CHUNK));
    equal(await stores.queue.remove(id), true);
    deepEqual(await fileNames(bodyDir), []);
    await rejects(readAll(stores.queue.readBody(id)), RangeError);
  });
});

Deno.test("body files: a queued body whose file is gone fails to read, clearly", async () => {
  await withBodyFiles(async ({ stores, bodyDir }) => {
    const id = await queue(stores, testBytes(2 * CHUNK));
    await Deno.remove(`${bodyDir}/${id}`);
    await rejects(readAll(stores.queue.readBody(id)), /the body file of .* is gone/);
  });
});

Deno.test("body files: a file a crash left without a queue entry is deleted at open", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-bodies-" });
  const bodyDir = `${dir}/bodies`;
  try {
    const first = await openKvStores(`${dir}/store.kv`, { bodyDir });
    const kept = await queue(first.stores, testBytes(2 * CHUNK));
    // A body written but never queued: the process died before its commit.
    const orphan = "018c2f5a1b0000000000";
    await Deno.writeFile(`${bodyDir}/${orphan}`, testBytes(2 * CHUNK));
    first.close();

    const second = await openKvStores(`${dir}/store.kv`, { bodyDir });
    try {
      equal(second.abandonedSpools, 1);
      deepEqual(await fileNames(bodyDir), [kept]);
      deepEqual(await readAll(second.stores.queue.readBody(kept)), testBytes(2 * CHUNK));
    } finally {
      second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("folder sync: calls made while an fsync runs share the next one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-bodies-" });
  const folder = new FolderSync(dir);
  try {
    const running = folder.sync();
    const [second, third] = [folder.sync(), folder.sync()];
    equal(second, third, "callers that wait share one fsync");
    notEqual(running, second, "nobody relies on an fsync that started before its call");
    await Promise.all([running, second, third]);
    await folder.sync(); // and a later call starts afresh
  } finally {
    folder.close();
    await Deno.remove(dir, { recursive: true });
  }
});
