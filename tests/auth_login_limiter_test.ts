import { deepEqual, equal, throws } from "node:assert/strict";
import { LoginLimiter } from "../auth/login_limiter.ts";

const MINUTE = 60_000;

Deno.test("login limiter: the pause doubles per recent failure from a client, up to the cap", () => {
  const limiter = new LoginLimiter({ banAfterFailures: 100 });
  const delays = [];
  for (let i = 0; i < 6; i++) {
    delays.push(limiter.record("192.0.2.1", `user${i}@domain.de`, false, i * 1_000).delayMs);
  }
  deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
});

Deno.test("login limiter: a success pauses 0 and forgives nothing", () => {
  const limiter = new LoginLimiter();
  limiter.record("192.0.2.1", "a@domain.de", false, 0);
  limiter.record("192.0.2.1", "b@domain.de", false, 0);
  deepEqual(limiter.record("192.0.2.1", "c@domain.de", true, 0), { delayMs: 0, banned: false });
  equal(limiter.record("192.0.2.1", "d@domain.de", false, 0).delayMs, 4_000);
});

Deno.test("login limiter: failures age out of the window", () => {
  const limiter = new LoginLimiter({ windowMs: 10 * MINUTE, banAfterFailures: 100 });
  limiter.record("192.0.2.1", "a@domain.de", false, 0);
  limiter.record("192.0.2.1", "a@domain.de", false, MINUTE);
  equal(limiter.record("192.0.2.1", "b@domain.de", false, 10 * MINUTE).delayMs, 2_000);
  equal(limiter.record("192.0.2.1", "c@domain.de", false, 25 * MINUTE).delayMs, 1_000);
});

Deno.test("login limiter: too many failures ban the client until the ban ends", () => {
  const limiter = new LoginLimiter({ banAfterFailures: 3, banMs: 5 * MINUTE });
  equal(limiter.record("192.0.2.1", "a@domain.de", false, 0).banned, false);
  equal(limiter.record("192.0.2.1", "b@domain.de", false, 1).banned, false);
  deepEqual(limiter.admit("192.0.2.1", 2), { kind: "allow" });
  equal(limiter.record("192.0.2.1", "c@domain.de", false, 2).banned, true);
  deepEqual(limiter.admit("192.0.2.1", 3), { kind: "banned", untilMs: 2 + 5 * MINUTE });
  deepEqual(limiter.admit("192.0.2.1", 1 + 5 * MINUTE), {
    kind: "banned",
    untilMs: 2 + 5 * MINUTE,
  });
  deepEqual(limiter.admit("192.0.2.1", 2 + 5 * MINUTE), { kind: "allow" });
  deepEqual(limiter.admit("192.0.2.2", 3), { kind: "allow" });
  equal(limiter.record("192.0.2.1", "d@domain.de", false, 2 + 5 * MINUTE).banned, false);
});

Deno.test("login limiter: a success from a banned client still reports the ban", () => {
  const limiter = new LoginLimiter({ banAfterFailures: 1 });
  equal(limiter.record("192.0.2.1", "a@domain.de", false, 0).banned, true);
  deepEqual(limiter.record("192.0.2.1", "a@domain.de", true, 1), { delayMs: 0, banned: true });
});

Deno.test("login limiter: guessing one account from one address never locks its owner out elsewhere", () => {
  const limiter = new LoginLimiter({ banAfterFailures: 5 });
  let checked = 0;
  for (let i = 0; i < 50; i++) {
    if (limiter.admit("203.0.113.66", i).kind === "allow") {
      limiter.record("203.0.113.66", "Test@Domain.DE", false, i);
      checked++;
    }
  }
  equal(checked, 5);
  deepEqual(limiter.admit("203.0.113.66", 60), { kind: "banned", untilMs: 4 + 15 * MINUTE });
  deepEqual(limiter.admit("198.51.100.7", 60), { kind: "allow" });
  deepEqual(limiter.record("198.51.100.7", "test@domain.de", true, 60), {
    delayMs: 0,
    banned: false,
  });
});

Deno.test("login limiter: failures on one account slow every client guessing it, without a ban", () => {
  const limiter = new LoginLimiter({ banAfterFailures: 3 });
  const outcomes = [];
  for (let i = 0; i < 5; i++) {
    outcomes.push(limiter.record(`198.51.100.${i}`, "TEST@domain.de", false, i));
  }
  deepEqual(outcomes.map((outcome) => outcome.delayMs), [1_000, 2_000, 4_000, 8_000, 8_000]);
  deepEqual(outcomes.map((outcome) => outcome.banned), [false, false, false, false, false]);
  equal(limiter.record("198.51.100.9", "other@domain.de", false, 5).delayMs, 1_000);
});

Deno.test("login limiter: an IPv6 /64 is one client; IPv4-mapped is the IPv4 address", () => {
  const limiter = new LoginLimiter({ banAfterFailures: 2 });
  limiter.record("2001:db8:1:2::1", "a@domain.de", false, 0);
  equal(limiter.record("2001:db8:1:2:ffff::9", "b@domain.de", false, 0).banned, true);
  equal(limiter.admit("2001:db8:1:2:abcd::5", 1).kind, "banned");
  equal(limiter.admit("2001:db8:1:3::1", 1).kind, "allow");
  limiter.record("::ffff:192.0.2.1", "a@domain.de", false, 0);
  limiter.record("192.0.2.1", "b@domain.de", false, 0);
  equal(limiter.admit("::ffff:192.0.2.1", 1).kind, "banned");
});

Deno.test("login limiter: many failures from everywhere make every failure pause the longest", () => {
  const limiter = new LoginLimiter({ globalFailures: 4, maxDelayMs: 16_000 });
  const delays = [];
  for (let i = 0; i < 5; i++) {
    delays.push(limiter.record(`192.0.2.${i}`, `user${i}@domain.de`, false, i).delayMs);
  }
  deepEqual(delays, [1_000, 1_000, 1_000, 16_000, 16_000]);
  equal(limiter.record("192.0.2.9", "a@domain.de", true, 6).delayMs, 0);
});

Deno.test("login limiter: tracks at most maxTrackedKeys clients, forgetting the oldest", () => {
  const limiter = new LoginLimiter({ maxTrackedKeys: 3, banAfterFailures: 1 });
  for (let i = 1; i <= 4; i++) limiter.record(`192.0.2.${i}`, "a@domain.de", false, 0);
  equal(limiter.admit("192.0.2.1", 1).kind, "allow");
  for (let i = 2; i <= 4; i++) equal(limiter.admit(`192.0.2.${i}`, 1).kind, "banned");
});

Deno.test("login limiter: long user names share the account key of their first 256 characters", () => {
  const limiter = new LoginLimiter({ banAfterFailures: 100 });
  const prefix = "a".repeat(256);
  equal(limiter.record("192.0.2.1", `${prefix}x`, false, 0).delayMs, 1_000);
  equal(limiter.record("192.0.2.2", `${prefix.toUpperCase()}y`, false, 0).delayMs, 2_000);
  equal(limiter.record("192.0.2.3", prefix.slice(1), false, 0).delayMs, 1_000);
});

Deno.test("login limiter: refuses limits that are not positive integers", () => {
  throws(() => new LoginLimiter({ banAfterFailures: 0 }), RangeError);
  throws(() => new LoginLimiter({ windowMs: 1.5 }), RangeError);
  throws(() => new LoginLimiter({ banMs: Number.NaN }), RangeError);
  throws(() => new LoginLimiter({ baseDelayMs: 2_000, maxDelayMs: 1_000 }), {
    name: "RangeError",
    message: "Cannot create login limiter: maxDelayMs is below baseDelayMs",
  });
});
