import { equal, rejects } from "node:assert/strict";
import type { ByteStream } from "../deno/byte_stream.ts";
import { ReadDeadlines } from "../deno/read_deadlines.ts";

/** A stream whose reads the test answers by hand. */
function handStream() {
  const waiting: { resolve: (chunk: Uint8Array | null) => void; reject: (e: Error) => void }[] = [];
  const stream: ByteStream = {
    read: () => new Promise((resolve, reject) => waiting.push({ resolve, reject })),
    write: () => Promise.resolve(),
    close: () => {},
  };
  return { stream, waiting };
}

Deno.test("read deadlines: data before the deadline is the answer", async () => {
  const reads = new ReadDeadlines({ tickMs: 5, now: Date.now });
  const { stream, waiting } = handStream();
  const event = reads.read(stream, Date.now() + 60_000);
  waiting[0].resolve(new Uint8Array([1, 2]));
  equal(String(await event), "1,2");
  reads.shutdown();
});

Deno.test("read deadlines: a read past its deadline ends with timeout", async () => {
  const clock = { now: 0 };
  const reads = new ReadDeadlines({ tickMs: 5, now: () => clock.now });
  const { stream, waiting } = handStream();
  const late = reads.read(stream, 100);
  const later = reads.read(handStream().stream, 1_000);
  clock.now = 100;
  equal(await late, "timeout");
  // A chunk or failure arriving after the timeout goes nowhere and throws nothing.
  waiting[0].reject(new Error("closed"));
  clock.now = 1_000;
  equal(await later, "timeout");
  // A read asked for after its deadline does not wait for the next sweep.
  equal(await reads.read(handStream().stream, 1_000), "timeout");
  reads.shutdown();
});

Deno.test("read deadlines: shutdown ends pending reads and every later one", async () => {
  const reads = new ReadDeadlines({ tickMs: 5, now: Date.now });
  const pending = reads.read(handStream().stream, Date.now() + 60_000);
  reads.shutdown();
  equal(await pending, "shutdown");
  equal(await reads.read(handStream().stream, Date.now() + 60_000), "shutdown");
});

Deno.test("read deadlines: a failing read rejects with its error", async () => {
  const reads = new ReadDeadlines({ tickMs: 5, now: Date.now });
  const { stream, waiting } = handStream();
  const event = reads.read(stream, Date.now() + 60_000);
  waiting[0].reject(new Deno.errors.ConnectionReset("reset"));
  await rejects(event, Deno.errors.ConnectionReset);
});

Deno.test("read deadlines: no timer is left once the last read is answered", async () => {
  // Deno's op sanitizer fails this test if the sweeping interval outlives it.
  const reads = new ReadDeadlines({ tickMs: 60_000, now: Date.now });
  const { stream, waiting } = handStream();
  const event = reads.read(stream, Date.now() + 60_000);
  waiting[0].resolve(null);
  equal(await event, null);
});
