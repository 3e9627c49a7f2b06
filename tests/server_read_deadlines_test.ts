import { deepEqual, equal } from "node:assert/strict";
import { type InputWaiter, ReadDeadlines, type WaitExpiry } from "../server/read_deadlines.ts";

/** A waiter that records how its waits ended. */
function waiter(deadline: number): InputWaiter & { expired: WaitExpiry[] } {
  const expired: WaitExpiry[] = [];
  return { deadline, expired, expire: (reason) => expired.push(reason) };
}

/** Resolves once `waiter` has expired `count` times (the sweep runs on its own timer). */
async function expiredTimes(w: { expired: WaitExpiry[] }, count: number): Promise<void> {
  while (w.expired.length < count) await new Promise((resolve) => setTimeout(resolve, 1));
}

Deno.test("read deadlines: input before the deadline releases the waiter", () => {
  const reads = new ReadDeadlines({ tickMs: 5, now: Date.now });
  const w = waiter(Date.now() + 60_000);
  equal(reads.watch(w), "watching");
  equal(reads.release(w), true);
  // Released twice (a second read answer) is no longer waiting.
  equal(reads.release(w), false);
  deepEqual(w.expired, []);
  reads.shutdown();
  deepEqual(w.expired, [], "a released waiter is not expired at shutdown");
});

Deno.test("read deadlines: a wait past its deadline expires with timeout", async () => {
  const clock = { now: 0 };
  const reads = new ReadDeadlines({ tickMs: 5, now: () => clock.now });
  const late = waiter(100);
  const later = waiter(1_000);
  equal(reads.watch(late), "watching");
  equal(reads.watch(later), "watching");
  clock.now = 100;
  await expiredTimes(late, 1);
  deepEqual(late.expired, ["timeout"]);
  deepEqual(later.expired, []);
  // Input arriving after the timeout is to be dropped.
  equal(reads.release(late), false);
  clock.now = 1_000;
  await expiredTimes(later, 1);
  deepEqual(later.expired, ["timeout"]);
  // A wait that starts after its deadline does not wait for the next sweep.
  equal(reads.watch(waiter(1_000)), "timeout");
  reads.shutdown();
});

Deno.test("read deadlines: shutdown expires every waiter once, and every later watch", () => {
  const reads = new ReadDeadlines({ tickMs: 5, now: Date.now });
  const first = waiter(Date.now() + 60_000);
  const second = waiter(Date.now() + 60_000);
  reads.watch(first);
  reads.watch(second);
  reads.shutdown();
  deepEqual(first.expired, ["shutdown"]);
  deepEqual(second.expired, ["shutdown"]);
  equal(reads.release(first), false);
  equal(reads.watch(waiter(Date.now() + 60_000)), "shutdown");
  reads.shutdown();
  deepEqual(first.expired, ["shutdown"], "expired once");
});

Deno.test("read deadlines: no timer is left once the last waiter is released", () => {
  // Deno's op sanitizer fails this test if the sweeping interval outlives it.
  const reads = new ReadDeadlines({ tickMs: 60_000, now: Date.now });
  const w = waiter(Date.now() + 60_000);
  reads.watch(w);
  reads.release(w);
});

Deno.test("read deadlines: no timer is left once the last waiter timed out", async () => {
  const reads = new ReadDeadlines({ tickMs: 5, now: Date.now });
  const w = waiter(Date.now() + 10);
  reads.watch(w);
  await expiredTimes(w, 1);
});
