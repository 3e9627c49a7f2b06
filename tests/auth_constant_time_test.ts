import { equal } from "node:assert/strict";
import { timingSafeEqual } from "../auth/constant_time.ts";

Deno.test("timingSafeEqual: equal inputs are equal, as bytes or strings", () => {
  equal(timingSafeEqual("b913a602", "b913a602"), true);
  equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
  equal(timingSafeEqual("ab", new Uint8Array([0x61, 0x62])), true);
  equal(timingSafeEqual("", ""), true);
});

Deno.test("timingSafeEqual: a difference anywhere, or in length, is unequal", () => {
  equal(timingSafeEqual("b913a602", "c913a602"), false);
  equal(timingSafeEqual("b913a602", "b913a603"), false);
  equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2])), false);
  equal(timingSafeEqual("ä", "a"), false);
  equal(timingSafeEqual("", "a"), false);
});
