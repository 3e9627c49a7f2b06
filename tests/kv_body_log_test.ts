import { deepEqual, equal, notEqual, ok, rejects } from "node:assert/strict";
import { denoFiles } from "../runtime/deno/files.ts";
import { type BodyExtents, BodyLog } from "../store/kv/body_log.ts";
import { GroupSync } from "../store/kv/group_sync.ts";
import type { Stores } from "../store/types.ts";
import { fileNames, withReopenedStores, withTempDir } from "./_data_dir.ts";
import { concatBytes } from "./_fuzz.ts";
import { CHUNK, envelope, readAll, testBytes } from "./_store_helpers.ts";

/** Runs `body` with a fresh temp folder, removed afterwards. */
const withBodiesDir = (body: (dir: string) => Promise<void>) =>
  withTempDir("tollgate-bodies-", body);

async function spoolChunkCount(dir: string): Promise<number> {
  const kv = await Deno.openKv(`${dir}/tollgate.kv`);
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

const deferred = { nextAttemptAt: 1_700_000_600_000 };

Deno.test("body log: one chunk stays in KV, a larger body goes to the log, not a file of its own", () =>
  withBodiesDir(async (dir) => {
    const small = testBytes(CHUNK);
    const large = testBytes(CHUNK + 1, 7);
    await withReopenedStores(dir, async (stores) => {
      const smallId = await queue(stores, small);
      const largeId = await queue(stores, large);
      deepEqual(await fileNames(`${dir}/bodies`), ["log"]);
      equal((await fileNames(`${dir}/bodies/log`)).length, 1, "one segment");
      equal(await spoolChunkCount(dir), 1, "only the small body is in KV");
      deepEqual(await readAll(stores.queue.readBody(smallId)), small);
      deepEqual(await readAll(stores.queue.readBody(largeId)), large);
      equal((await stores.queue.get(largeId))?.size, CHUNK + 1);
    });
  }));

Deno.test("body log: bodies written at once share a lane and each reads back whole", () =>
  withBodiesDir(async (dir) => {
    const { log } = await BodyLog.open(denoFiles, dir, new Map(), { lanes: 1 });
    try {
      const writers = Array.from({ length: 20 }, () => log.begin());
      // Three pieces each, appended round by round: the pieces interleave in the segment.
      for (let piece = 0; piece < 3; piece++) {
        await Promise.all(
          writers.map((writer, n) => writer.append(testBytes(1000 + n, n * 3 + piece + 1))),
        );
      }
      await Promise.all(writers.map((writer) => writer.durable()));
      for (const [n, writer] of writers.entries()) {
        const expected = [0, 1, 2].map((piece) => testBytes(1000 + n, n * 3 + piece + 1));
        deepEqual(await readAll(log.read(writer.extents())), concatBytes(expected));
        equal(writer.extents().extents.length, 9, "three pieces apart");
      }
      const alone = log.begin();
      await alone.append(testBytes(10, 1));
      await alone.append(testBytes(10, 2));
      equal(alone.extents().extents.length, 3, "pieces one after the other are one piece");
      deepEqual(
        await readAll(log.read(alone.extents())),
        concatBytes([testBytes(10, 1), testBytes(10, 2)]),
      );
    } finally {
      log.close();
    }
  }));

Deno.test("body log: a full or unused segment is retired, and deleted once no body in it is left", () =>
  withBodiesDir(async (dir) => {
    const { log } = await BodyLog.open(denoFiles, dir, new Map(), { lanes: 1, segmentBytes: 100 });
    try {
      const first = log.begin();
      await first.append(testBytes(150, 1)); // fills the first segment past its size
      const second = log.begin();
      await second.append(testBytes(120, 2)); // so this starts the next one, and fills it
      await second.append(testBytes(50, 3)); // and this goes to a third
      await Promise.all([first.durable(), second.durable()]);
      equal((await fileNames(dir)).length, 3);
      deepEqual(second.extents().segments.length, 2, "the second body spans two segments");
      deepEqual(
        await readAll(log.read(second.extents())),
        concatBytes([testBytes(120, 2), testBytes(50, 3)]),
      );

      await log.release(first.extents());
      equal((await fileNames(dir)).length, 2, "the first segment is gone");
      await second.discard();
      deepEqual(await fileNames(dir), [], "the one still appended to goes too, once unused");
      const third = log.begin();
      await third.append(testBytes(10, 4)); // and the lane starts a new one
      await third.durable();
      deepEqual(await readAll(log.read(third.extents())), testBytes(10, 4));
    } finally {
      log.close();
    }
  }));

Deno.test("body log: many writers, small segments: every kept body reads back, and nothing is left once all are gone", () =>
  withBodiesDir(async (dir) => {
    const { log } = await BodyLog.open(denoFiles, dir, new Map(), { lanes: 3, segmentBytes: 4096 });
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    try {
      const kept: { body: Uint8Array; extents: BodyExtents }[] = [];
      await Promise.all(Array.from({ length: 40 }, async (_, n) => {
        const writer = log.begin();
        const pieces = Array.from(
          { length: 1 + random(6) },
          (_, p) => testBytes(1 + random(3000), n * 10 + p + 1),
        );
        for (const piece of pieces) {
          await writer.append(piece);
          if (random(3) === 0) await new Promise((resolve) => setTimeout(resolve, random(3)));
        }
        await writer.durable();
        if (n % 4 === 0) await writer.discard();
        else kept.push({ body: concatBytes(pieces), extents: writer.extents() });
      }));
      for (let n = 0; n < 5; n++) {
        // One at a time: pieces one after the other in a lane are merged into one.
        const writer = log.begin();
        const pieces = [testBytes(700, 500 + n), testBytes(900, 600 + n)];
        for (const piece of pieces) await writer.append(piece);
        await writer.durable();
        kept.push({ body: concatBytes(pieces), extents: writer.extents() });
      }
      ok(kept.some(({ extents }) => extents.extents.length === 3), "some pieces merged");
      for (const { body, extents } of kept) deepEqual(await readAll(log.read(extents)), body);
      ok((await fileNames(dir)).length > 3, "bodies spread over many segments");
      for (const { extents } of kept) await log.release(extents);
      deepEqual(await fileNames(dir), []);
    } finally {
      log.close();
    }
  }));

Deno.test("body log: open keeps the segments queued bodies use, deletes the rest, and appends anew", () =>
  withBodiesDir(async (dir) => {
    const first = await BodyLog.open(denoFiles, dir, new Map(), { lanes: 2 });
    const kept = first.log.begin();
    const dropped = first.log.begin();
    await kept.append(testBytes(500, 1));
    await dropped.append(testBytes(500, 2));
    await Promise.all([kept.durable(), dropped.durable()]);
    first.log.close();
    const [keptSegment] = kept.extents().segments;
    notEqual(keptSegment, dropped.extents().segments[0], "two lanes, two segments");

    const second = await BodyLog.open(denoFiles, dir, new Map([[keptSegment, 1]]));
    try {
      equal(second.removed, 1);
      deepEqual(await fileNames(dir), [keptSegment]);
      deepEqual(await readAll(second.log.read(kept.extents())), testBytes(500, 1));
      const next = second.log.begin();
      await next.append(testBytes(10));
      const [nextSegment] = next.extents().segments;
      ok(nextSegment > dropped.extents().segments[0], "a new segment, never an old name again");
    } finally {
      second.log.close();
    }
  }));

Deno.test("body log: an aborted message and a removed one leave no segment behind", () =>
  withBodiesDir(async (dir) => {
    await withReopenedStores(dir, async (stores) => {
      const writer = await stores.queue.create();
      await writer.write(testBytes(5 * CHUNK)); // four full chunks of it are in the log
      const id = await queue(stores, testBytes(2 * CHUNK));
      equal((await fileNames(`${dir}/bodies/log`)).length, 2, "two lanes, a segment each");
      await writer.abort();
      equal(await stores.queue.remove(id), true);
      deepEqual(await fileNames(`${dir}/bodies/log`), [], "both gone as soon as unused");
      await rejects(readAll(stores.queue.readBody(id)), RangeError);
      equal((await stores.queue.list({ limit: 10 })).items.length, 0);
    });
    equal(await withReopenedStores(dir, async () => {}), 0, "nothing left for a reopen");
  }));

Deno.test("body log: a deferred message's body moves to a file of its own", () =>
  withBodiesDir(async (dir) => {
    const body = testBytes(2 * CHUNK + 5, 3);
    let id = "";
    await withReopenedStores(dir, async (stores) => {
      id = await queue(stores, body);
      const delivery = await stores.queue.delivery(id);
      equal(await stores.queue.update(id, { ...delivery!, ...deferred }), true);
      deepEqual(await fileNames(`${dir}/bodies`), [id, "log"].sort());
      deepEqual(await fileNames(`${dir}/bodies/log`), [], "the log no longer holds it");
      deepEqual(await readAll(stores.queue.readBody(id)), body);
      equal((await stores.queue.delivery(id))?.nextAttemptAt, deferred.nextAttemptAt);
    });
    await withReopenedStores(dir, async (stores) => {
      deepEqual(await readAll(stores.queue.readBody(id)), body);
      equal(await stores.queue.remove(id), true);
    });
    deepEqual(await fileNames(`${dir}/bodies`), ["log"]);
  }));

Deno.test("body log: a message removed while its body moves out leaves nothing behind", () =>
  withBodiesDir(async (dir) => {
    await withReopenedStores(dir, async (stores) => {
      for (let round = 0; round < 5; round++) {
        const id = await queue(stores, testBytes(3 * CHUNK, round + 1));
        const delivery = await stores.queue.delivery(id);
        const [, removed] = await Promise.all([
          stores.queue.update(id, { ...delivery!, ...deferred }),
          stores.queue.remove(id),
        ]);
        equal(removed, true);
        equal(await stores.queue.get(id), undefined);
      }
      deepEqual(await fileNames(`${dir}/bodies`), ["log"], "no body file is left");
      deepEqual(await fileNames(`${dir}/bodies/log`), [], "no segment is left");
    });
    equal(await withReopenedStores(dir, async () => {}), 0);
  }));

Deno.test("body log: a body that cannot be copied out stays in the log, and reads as before", () =>
  withBodiesDir(async (dir) => {
    await withReopenedStores(dir, async (stores) => {
      const id = await queue(stores, testBytes(2 * CHUNK));
      // Its segment is gone (a disk fault, a hand that deleted it): the copy fails.
      await Deno.remove(`${dir}/bodies/log`, { recursive: true }).catch(() => {});
      const delivery = await stores.queue.delivery(id);
      equal(await stores.queue.update(id, { ...delivery!, ...deferred }), true);
      equal(
        (await stores.queue.delivery(id))?.nextAttemptAt,
        deferred.nextAttemptAt,
        "the state is recorded anyway",
      );
      deepEqual(await fileNames(`${dir}/bodies`), [], "no half-copied file is left");
      await rejects(readAll(stores.queue.readBody(id)), /log segment .* is gone/);
    });
  }));

Deno.test("body log: what a crash left unqueued (segments, a half-moved body file) is deleted at open", () =>
  withBodiesDir(async (dir) => {
    let kept = "";
    await withReopenedStores(dir, async (stores) => {
      kept = await queue(stores, testBytes(2 * CHUNK));
    });
    // A crash mid-DATA left a segment no entry names, and one while moving `kept` out of the log.
    await Deno.writeFile(`${dir}/bodies/log/00000000000000ff`, testBytes(100));
    await Deno.writeFile(`${dir}/bodies/${kept}`, testBytes(10));
    const removed = await withReopenedStores(dir, async (stores) => {
      deepEqual(await readAll(stores.queue.readBody(kept)), testBytes(2 * CHUNK));
    });
    equal(removed, 2);
    deepEqual(await fileNames(`${dir}/bodies`), ["log"]);
    equal((await fileNames(`${dir}/bodies/log`)).length, 1);
  }));

Deno.test("group sync: calls made while a flush runs share the next one", async () => {
  let flushes = 0;
  const group = new GroupSync(async () => {
    flushes++;
    await new Promise((resolve) => setTimeout(resolve, 5));
  });
  const running = group.sync();
  const [second, third] = [group.sync(), group.sync()];
  equal(second, third, "callers that wait share one flush");
  notEqual(running, second, "nobody relies on a flush that started before its call");
  await Promise.all([running, second, third]);
  equal(flushes, 2);
  await group.sync(); // and a later call starts afresh
  equal(flushes, 3);
});
