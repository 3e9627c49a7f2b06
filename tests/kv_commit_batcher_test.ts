import { deepEqual, equal, notEqual, ok, rejects } from "node:assert/strict";
import type { AtomicWrite } from "../store/kv/kv_atomic_limits.ts";
import { type AtomicWriteResult, KvCommitBatcher } from "../store/kv/kv_commit_batcher.ts";
import type { AtomicCheck } from "../store/kv/kv_port.ts";

/** What each commit the batcher made came to. */
type Outcome = "committed" | "check failed" | "threw";

/** A KV whose commits are recorded, and whose first commit waits for `gate` when one is given. */
function recordingKv(kv: Deno.Kv, gate?: Promise<void>) {
  const outcomes: Outcome[] = [];
  const firstStarted = Promise.withResolvers<void>();
  let started = 0;
  const atomic = () => {
    const operation = kv.atomic();
    const commit = operation.commit.bind(operation);
    operation.commit = async () => {
      if (started++ === 0) {
        firstStarted.resolve();
        await gate;
      }
      try {
        const result = await commit();
        outcomes.push(result.ok ? "committed" : "check failed");
        return result;
      } catch (error) {
        outcomes.push("threw");
        throw error;
      }
    };
    return operation;
  };
  return { kv: { atomic }, outcomes, firstStarted: firstStarted.promise };
}

async function withKv(body: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await body(kv);
  } finally {
    kv.close();
  }
}

function setWrite(name: string, value: unknown = name, checks: AtomicCheck[] = []) {
  return { checks, mutations: [{ type: "set" as const, key: ["t", name], value }] };
}

function versionstamps(results: AtomicWriteResult[]): string[] {
  return results.map((result) => {
    ok(result.ok, "a write failed");
    return result.versionstamp;
  });
}

async function valuesOf(kv: Deno.Kv, names: string[]): Promise<unknown[]> {
  return (await kv.getMany(names.map((name) => ["t", name]))).map((entry) => entry.value);
}

Deno.test("batcher: writes made in one turn share one commit", () =>
  withKv(async (kv) => {
    const recording = recordingKv(kv);
    const batcher = new KvCommitBatcher(recording.kv);
    const stamps = versionstamps(
      await Promise.all(["a", "b", "c"].map((name) => batcher.commit(setWrite(name)))),
    );
    deepEqual(recording.outcomes, ["committed"]);
    equal(new Set(stamps).size, 1);
    deepEqual(await valuesOf(kv, ["a", "b", "c"]), ["a", "b", "c"]);
  }));

Deno.test("batcher: a lazy write starts no commit; it joins the next one", () =>
  withKv(async (kv) => {
    const recording = recordingKv(kv);
    const batcher = new KvCommitBatcher(recording.kv, { lazyCommitMs: 60_000 });
    const lazy = batcher.commit(setWrite("a"), { lazy: true });
    await new Promise((resolve) => setTimeout(resolve, 0));
    deepEqual(recording.outcomes, [], "nothing committed for the lazy write alone");
    const stamps = versionstamps(await Promise.all([lazy, batcher.commit(setWrite("b"))]));
    deepEqual(recording.outcomes, ["committed"]);
    equal(new Set(stamps).size, 1);
    deepEqual(await valuesOf(kv, ["a", "b"]), ["a", "b"]);
  }));

Deno.test("batcher: a lazy write with no other commit is committed after its wait", () =>
  withKv(async (kv) => {
    const recording = recordingKv(kv);
    const batcher = new KvCommitBatcher(recording.kv, { lazyCommitMs: 1 });
    const results = await Promise.all(
      ["a", "b"].map((name) => batcher.commit(setWrite(name), { lazy: true })),
    );
    deepEqual(recording.outcomes, ["committed"]);
    equal(new Set(versionstamps(results)).size, 1);
    deepEqual(await valuesOf(kv, ["a", "b"]), ["a", "b"]);
  }));

Deno.test("batcher: writes that wait for a commit in flight share the next one", () =>
  withKv(async (kv) => {
    const gate = Promise.withResolvers<void>();
    const recording = recordingKv(kv, gate.promise);
    const batcher = new KvCommitBatcher(recording.kv, { commitsInFlight: 1 });
    const first = batcher.commit(setWrite("a"));
    await recording.firstStarted;
    const rest = ["b", "c", "d"].map((name) => batcher.commit(setWrite(name)));
    gate.resolve();
    const [firstStamp] = versionstamps([await first]);
    const restStamps = versionstamps(await Promise.all(rest));
    deepEqual(recording.outcomes, ["committed", "committed"]);
    equal(new Set(restStamps).size, 1);
    notEqual(restStamps[0], firstStamp);
    deepEqual(await valuesOf(kv, ["a", "b", "c", "d"]), ["a", "b", "c", "d"]);
  }));

Deno.test("batcher: two commits in flight by default; writes waiting for both share the next", () =>
  withKv(async (kv) => {
    // Every commit waits until the test opens it, so both slots can be seen busy.
    const opened: (() => void)[] = [];
    const sizes: number[] = [];
    const started = () => new Promise<void>((resolve) => opened.push(resolve));
    const gated = {
      atomic() {
        const operation = kv.atomic();
        const commit = operation.commit.bind(operation);
        const mutate = operation.mutate.bind(operation);
        let size = 0;
        operation.mutate = (...mutations) => {
          size += mutations.length;
          return mutate(...mutations);
        };
        operation.commit = async () => {
          sizes.push(size);
          await started();
          return await commit();
        };
        return operation;
      },
    };
    const turn = () => new Promise((resolve) => setTimeout(resolve, 0));
    const batcher = new KvCommitBatcher(gated);
    const first = batcher.commit(setWrite("a"));
    await turn();
    const second = batcher.commit(setWrite("b"));
    await turn();
    deepEqual(sizes, [1, 1], "the second write did not wait for the first commit");
    const rest = ["c", "d", "e"].map((name) => batcher.commit(setWrite(name)));
    await turn();
    deepEqual(sizes, [1, 1], "with both slots busy, the rest wait");
    opened[0]();
    await first;
    await turn();
    deepEqual(sizes, [1, 1, 3], "the rest share the next commit");
    opened[1]();
    opened[2]();
    const stamps = versionstamps([await second, ...await Promise.all(rest)]);
    equal(new Set(stamps.slice(1)).size, 1);
    deepEqual(await valuesOf(kv, ["a", "b", "c", "d", "e"]), ["a", "b", "c", "d", "e"]);
  }));

Deno.test("batcher: a failed check fails only its own write", () =>
  withKv(async (kv) => {
    await kv.set(["t", "taken"], "before");
    const recording = recordingKv(kv);
    const batcher = new KvCommitBatcher(recording.kv);
    const claim = { key: ["t", "taken"], versionstamp: null };
    const [a, b, c] = await Promise.all([
      batcher.commit(setWrite("a")),
      batcher.commit(setWrite("taken", "after", [claim])),
      batcher.commit(setWrite("c")),
    ]);
    equal(a.ok && c.ok, true);
    deepEqual(b, { ok: false });
    // The group, then each write alone (those three run at once: any order).
    const [group, ...alone] = recording.outcomes;
    equal(group, "check failed");
    deepEqual(alone.sort(), ["check failed", "committed", "committed"]);
    deepEqual(await valuesOf(kv, ["a", "taken", "c"]), ["a", "before", "c"]);
  }));

Deno.test("batcher: two writes checking one key they both change are not committed together", () =>
  withKv(async (kv) => {
    const { versionstamp } = await kv.set(["t", "entry"], "before");
    const recording = recordingKv(kv);
    const batcher = new KvCommitBatcher(recording.kv, { commitsInFlight: 1 });
    const unchanged = { key: ["t", "entry"], versionstamp };
    const counter = { type: "sum" as const, key: ["t", "n"], n: 1n };
    const [removal, update, count] = await Promise.all([
      batcher.commit({ checks: [unchanged], mutations: [{ type: "delete", key: ["t", "entry"] }] }),
      batcher.commit({ ...setWrite("entry", "after", [unchanged]) }),
      batcher.commit({ checks: [], mutations: [counter] }),
    ]);
    equal(removal.ok, true);
    deepEqual(update, { ok: false });
    equal(count.ok, true);
    // The removal alone; the update with the counter (its check failing), then each alone.
    const [first, second, ...alone] = recording.outcomes;
    deepEqual([first, second, alone.sort()], [
      "committed",
      "check failed",
      ["check failed", "committed"],
    ]);
    deepEqual(await valuesOf(kv, ["entry"]), [null]);
    equal((await kv.get<Deno.KvU64>(["t", "n"])).value?.value, 1n);
  }));

Deno.test("batcher: a write KV refuses rejects only its own promise", () =>
  withKv(async (kv) => {
    const batcher = new KvCommitBatcher(kv);
    const tooLarge = new Uint8Array(70_000);
    const [a, b, c] = await Promise.allSettled([
      batcher.commit(setWrite("a")),
      batcher.commit(setWrite("large", tooLarge)),
      batcher.commit(setWrite("c")),
    ]);
    equal(a.status === "fulfilled" && a.value.ok, true);
    equal(c.status === "fulfilled" && c.value.ok, true);
    equal(b.status, "rejected");
    await rejects(batcher.commit(setWrite("large", tooLarge)), /too large/i);
    deepEqual(await valuesOf(kv, ["a", "large", "c"]), ["a", null, "c"]);
  }));

Deno.test("batcher: a group holds no more checks than the limit", () =>
  withKv(async (kv) => {
    const recording = recordingKv(kv);
    const limits = { checks: 2, mutations: 1000, payloadBytes: 1e6, keyBytes: 1e6 };
    const batcher = new KvCommitBatcher(recording.kv, { limits });
    const write = (name: string) =>
      batcher.commit(setWrite(name, name, [{ key: ["t", name], versionstamp: null }]));
    const stamps = versionstamps(await Promise.all(["a", "b", "c"].map(write)));
    deepEqual(recording.outcomes, ["committed", "committed"]);
    equal(stamps[0], stamps[1]);
    notEqual(stamps[1], stamps[2]);
  }));

Deno.test("batcher: groups at KV's real limits are accepted whole", () =>
  withKv(async (kv) => {
    const recording = recordingKv(kv);
    const batcher = new KvCommitBatcher(recording.kv);
    const commitAll = (writes: AtomicWrite[]) => Promise.all(writes.map((w) => batcher.commit(w)));
    const names = (count: number, prefix: string) =>
      Array.from({ length: count }, (_, n) => `${prefix}${n}`);

    // Two checks each, as a spool commit has: 100 checks make one group of 50.
    const claim = (name: string) => [
      { key: ["t", name], versionstamp: null },
      { key: ["u", name], versionstamp: null },
    ];
    const checked = names(51, "c").map((name) => setWrite(name, name, claim(name)));
    const checkedStamps = versionstamps(await commitAll(checked));
    equal(new Set(checkedStamps.slice(0, 50)).size, 1);
    notEqual(checkedStamps[49], checkedStamps[50]);

    // 60 KiB values, as spool chunks are: 800 KiB in all allows 13 to a group.
    const chunks = names(20, "k").map((name) => setWrite(name, new Uint8Array(60 * 1024)));
    equal(new Set(versionstamps(await commitAll(chunks))).size, 2);

    // 400 deletes each: 1,000 mutations allow two to a group.
    const deletes = [0, 1, 2].map((n) => ({
      checks: [],
      mutations: names(400, `d${n}-`).map((name) => ({
        type: "delete" as const,
        key: ["t", name],
      })),
    }));
    equal(new Set(versionstamps(await commitAll(deletes))).size, 2);

    // Every group went through on the first try: none failed and none was split again.
    deepEqual(recording.outcomes, Array(6).fill("committed"));
  }));
