import { deepEqual, equal, rejects } from "node:assert/strict";
import { GroupCommitter } from "../store/postgres/mod.ts";
import { test } from "./_portable.ts";

test("group commit: items waiting behind a commit go together in the next", async () => {
  const groups: number[][] = [];
  let release = () => {};
  const committer = new GroupCommitter<number>(async (items) => {
    groups.push(items);
    await new Promise<void>((resolve) => release = resolve);
  }, { maxInFlight: 1, maxBatch: 3 });
  const done = [1, 2, 3, 4, 5].map((n) => committer.submit(n));
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
  }
  await Promise.all(done);
  deepEqual(groups, [[1], [2, 3, 4], [5]]);
});

test("group commit: a failing group is retried item by item, only the bad one fails", async () => {
  const committed: number[] = [];
  const committer = new GroupCommitter<number>((items) => {
    if (items.includes(13)) return Promise.reject(new Error("bad item"));
    committed.push(...items);
    return Promise.resolve();
  }, { maxInFlight: 1 });
  const results = await Promise.allSettled([12, 13, 14].map((n) => committer.submit(n)));
  deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  deepEqual(committed.sort(), [12, 14]);
  await rejects(committer.submit(13), /bad item/);
  equal(committed.length, 2);
});
