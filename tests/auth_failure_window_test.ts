import { equal, throws } from "node:assert/strict";
import { FailureWindow } from "../auth/failure_window.ts";

Deno.test("failure window: counts failures within the window per key", () => {
  const window = new FailureWindow({ windowMs: 100, maxCount: 10, maxKeys: 10 });
  equal(window.add("a", 0), 1);
  equal(window.add("a", 50), 2);
  equal(window.add("b", 60), 1);
  equal(window.count("a", 99), 2);
  equal(window.count("a", 100), 1);
  equal(window.count("a", 150), 0);
  equal(window.count("b", 150), 1);
  equal(window.size, 1);
});

Deno.test("failure window: keeps at most maxCount failures per key", () => {
  const window = new FailureWindow({ windowMs: 1_000, maxCount: 3, maxKeys: 10 });
  for (let i = 0; i < 10; i++) window.add("a", i);
  equal(window.count("a", 10), 3);
  equal(window.belowAgainAt("a", 3, 10), 1_007);
  equal(window.belowAgainAt("a", 1, 10), 1_009);
  equal(window.belowAgainAt("b", 1, 10), undefined);
  equal(window.belowAgainAt("a", 4, 10), undefined);
});

Deno.test("failure window: forgets the least recently touched key beyond maxKeys", () => {
  const window = new FailureWindow({ windowMs: 1_000, maxCount: 3, maxKeys: 2 });
  window.add("a", 0);
  window.add("b", 0);
  window.add("a", 1);
  window.add("c", 2);
  equal(window.size, 2);
  equal(window.count("b", 3), 0);
  equal(window.count("a", 3), 2);
  equal(window.count("c", 3), 1);
});

Deno.test("failure window: clear forgets a key", () => {
  const window = new FailureWindow({ windowMs: 1_000, maxCount: 3, maxKeys: 2 });
  window.add("a", 0);
  window.clear("a");
  equal(window.count("a", 1), 0);
});

Deno.test("failure window: refuses options that are not positive integers", () => {
  throws(() => new FailureWindow({ windowMs: 0, maxCount: 1, maxKeys: 1 }), {
    name: "RangeError",
    message: "Cannot count failures: windowMs must be a positive integer, got 0",
  });
  throws(() => new FailureWindow({ windowMs: 1, maxCount: 1.5, maxKeys: 1 }), RangeError);
});
