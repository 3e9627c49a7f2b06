import { deepEqual, equal } from "node:assert/strict";
import { LoginLimiter } from "../auth/login_limiter.ts";
import { SharedLoginLimiter } from "../auth/shared_login_limiter.ts";
import { MemoryLoginAttemptStore } from "../store/memory/login_attempts.ts";

const OPTIONS = { banAfterFailures: 4, windowMs: 60_000, banMs: 30_000, globalFailures: 6 };

Deno.test("shared login limiter: decides as the one-process limiter does", async () => {
  const local = new LoginLimiter(OPTIONS);
  const shared = new SharedLoginLimiter(new MemoryLoginAttemptStore(), OPTIONS);
  const clients = ["192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"];
  const users = ["a@x.example", "B@x.example", "b@x.example"];
  for (let step = 0; step < 60; step++) {
    const now = step * 5_000;
    const client = clients[(step * 7) % clients.length];
    const user = users[(step * 5) % users.length];
    const ok = step % 9 === 0;
    deepEqual(await shared.admit(client, now), local.admit(client, now), `admit at ${step}`);
    deepEqual(
      await shared.record(client, user, ok, now),
      local.record(client, user, ok, now),
      `record at ${step}`,
    );
  }
});

Deno.test("shared login limiter: guesses spread over nodes ban as on one node", async () => {
  const store = new MemoryLoginAttemptStore();
  const nodes = [0, 1, 2].map(() => new SharedLoginLimiter(store, OPTIONS));
  const outcomes = [];
  for (let i = 0; i < 4; i++) {
    outcomes.push(await nodes[i % 3].record("192.0.2.9", `u${i}@x.example`, false, i * 1_000));
  }
  deepEqual(outcomes.map((o) => o.banned), [false, false, false, true]);
  for (const node of nodes) equal((await node.admit("192.0.2.9", 5_000)).kind, "banned");
  equal((await nodes[0].admit("192.0.2.9", 3_000 + 30_000)).kind, "allow");
});

Deno.test("shared login limiter: sweep leaves the store empty once failures and bans ended", async () => {
  const store = new MemoryLoginAttemptStore();
  const limiter = new SharedLoginLimiter(store, OPTIONS);
  for (let n = 0; n < OPTIONS.banAfterFailures; n++) {
    await limiter.record("192.0.2.1", "a@x.example", false, 1_000 + n);
  }
  equal((await limiter.admit("192.0.2.1", 2_000)).kind, "banned");
  // Within the window and the ban, nothing goes: the account's and the global failures stay.
  equal(await limiter.sweep(2_000), 0);
  equal((await limiter.admit("192.0.2.1", 2_000)).kind, "banned");
  // Past both: the ban and the 8 account and global failures (the client's were cleared at the ban).
  equal(await limiter.sweep(1_003 + OPTIONS.windowMs), 9);
  equal(await store.sweep(Number.MAX_SAFE_INTEGER, 0), 0, "nothing left");
});
