import { deepEqual, equal } from "node:assert/strict";
import { ClientCheckQueue } from "../server/client_check_queue.ts";

/** A check that finishes only when the test says so. */
function heldCheck(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => release = resolve);
  const check = async () => {
    log.push(`start ${name}`);
    await done;
    log.push(`end ${name}`);
    return name;
  };
  return { check, release };
}

Deno.test("ClientCheckQueue: two checks at once per client (IPv6 /64); others are not held up", async () => {
  const queue = new ClientCheckQueue(2);
  const log: string[] = [];
  const [a, b, c, other] = ["a", "b", "c", "other"].map((name) => heldCheck(log, name));
  const running = [
    queue.run("2001:db8::1", a.check),
    queue.run("2001:db8::2", b.check),
    queue.run("2001:db8::3", c.check),
    queue.run("192.0.2.1", other.check),
  ];
  await Promise.resolve();
  deepEqual(log, ["start a", "start b", "start other"], "the third check of the /64 waits");
  other.release();
  equal(await running[3], "other");
  a.release();
  equal(await running[0], "a");
  await Promise.resolve();
  equal(log.includes("start c"), true, "a finished check lets the next one of that client run");
  b.release();
  c.release();
  deepEqual(await Promise.all(running), ["a", "b", "c", "other"]);
});

Deno.test("ClientCheckQueue: a failing check frees its slot and rejects as it did", async () => {
  const queue = new ClientCheckQueue(1);
  const failed = await queue.run("192.0.2.1", () => Promise.reject(new Error("store down")))
    .catch((error: Error) => error.message);
  equal(failed, "store down");
  equal(await queue.run("192.0.2.1", () => Promise.resolve("next")), "next");
});
