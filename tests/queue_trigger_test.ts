import { deepEqual, equal, rejects } from "node:assert/strict";
import { withTrigger } from "../delivery/queue_trigger.ts";
import { MemoryMessageQueue } from "../store/memory/stores.ts";
import { envelope } from "./_store_helpers.ts";

Deno.test("queue trigger: commits and updates that make a message due pull it; nothing else", async () => {
  let pulls = 0;
  const queue = withTrigger(new MemoryMessageQueue(() => 1), () => pulls++, () => 1000);
  const writer = await queue.create();
  await writer.write(new TextEncoder().encode("Subject: x\r\n\r\n"));
  equal(pulls, 0);
  const message = await writer.commit(envelope({ receivedAt: 1000 }));
  equal(pulls, 1);
  const delivery = (await queue.delivery(message.id))!;
  equal(await queue.update(message.id, { ...delivery, nextAttemptAt: 61_000 }), true);
  equal(pulls, 1);
  equal(await queue.update(message.id, { ...delivery, nextAttemptAt: 1000 }), true);
  equal(pulls, 2);
  equal(await queue.remove(message.id), true);
  equal(await queue.update(message.id, { ...delivery, nextAttemptAt: 1000 }), false);
  equal(pulls, 2);
  const aborted = await queue.create();
  await aborted.abort();
  await rejects(aborted.commit(envelope()), TypeError);
  equal(pulls, 2);
  deepEqual((await queue.list({ limit: 10 })).items, []);
});
