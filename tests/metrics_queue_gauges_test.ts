/**
 * The queue gauges of `/metrics` come from `MessageQueue.stats()` alone: one
 * call per scrape, no listing of the queue.
 *
 * @module
 */
import { deepEqual, equal } from "node:assert/strict";
import { PrometheusMetrics } from "../server/metrics/tollgate_metrics.ts";
import { MemoryMessageQueue } from "../store/memory/stores.ts";
import { holdDelivery } from "../store/queue_hold.ts";
import { enqueue, envelope, testBytes } from "./_store_helpers.ts";
import { parseMetrics, sampleValue } from "./_prometheus.ts";

const T0 = 1_700_000_000_000;

Deno.test("metrics: the queue gauges are one stats() call per scrape", async () => {
  const queue = new MemoryMessageQueue(() => T0);
  const old = await enqueue(queue, testBytes(100), { envelope: envelope({ receivedAt: T0 }) });
  await enqueue(queue, testBytes(50), { envelope: envelope({ receivedAt: T0 + 1000 }) });
  await queue.update(old.id, holdDelivery((await queue.delivery(old.id))!));
  let calls = 0;
  const statsOnly = {
    stats: () => {
      calls++;
      return queue.stats();
    },
  };
  const metrics = new PrometheusMetrics({ queue: statsOnly, now: () => T0 + 90_000 });
  const samples = await parseMetrics(await metrics.render());
  equal(calls, 1);
  deepEqual(
    [
      "tollgate_queue_messages",
      "tollgate_queue_held_messages",
      "tollgate_queue_bytes",
      "tollgate_queue_oldest_age_seconds",
    ].map((name) => sampleValue(samples, name)),
    [2, 1, 150, 90],
  );
});

Deno.test("metrics: an empty queue reports zero age", async () => {
  const metrics = new PrometheusMetrics({ queue: new MemoryMessageQueue(() => T0), now: () => T0 });
  const samples = await parseMetrics(await metrics.render());
  deepEqual(
    ["tollgate_queue_messages", "tollgate_queue_bytes", "tollgate_queue_oldest_age_seconds"].map(
      (name) => sampleValue(samples, name),
    ),
    [0, 0, 0],
  );
});
