import { deepEqual, equal } from "node:assert/strict";
import { applyOutcomes, type DeliveryOutcome } from "../delivery/delivery_state.ts";
import type { DeliveryState } from "../store/types.ts";

const policy = { schedule: [60_000, 300_000], lifetimeMs: 3_600_000 };

function fresh(...addresses: string[]): DeliveryState {
  return {
    nextAttemptAt: 0,
    recipients: addresses.map((address) => ({ address, status: "queued", attempts: 0 })),
  };
}

const ok = (address: string): DeliveryOutcome => ({
  address,
  status: "delivered",
  reply: "250 ok",
});
const later = (address: string): DeliveryOutcome => ({
  address,
  status: "temporary",
  reply: "451 4.3.0 try later",
  remoteMta: "relay.example.net",
});
const never = (address: string): DeliveryOutcome => ({
  address,
  status: "permanent",
  reply: "550 5.1.1 no such user",
  remoteMta: "relay.example.net",
});

Deno.test("applyOutcomes: all delivered means done, with replies and attempt times kept", () => {
  const result = applyOutcomes({ receivedAt: 0, delivery: fresh("a@x.test", "b@x.test") }, {
    outcomes: [ok("a@x.test"), ok("b@x.test")],
    now: 500,
    policy,
  });
  equal(result.done, true);
  deepEqual(result.failed, []);
  deepEqual(result.delivery.recipients, [
    {
      address: "a@x.test",
      status: "delivered",
      attempts: 1,
      lastReply: "250 ok",
      lastAttemptAt: 500,
    },
    {
      address: "b@x.test",
      status: "delivered",
      attempts: 1,
      lastReply: "250 ok",
      lastAttemptAt: 500,
    },
  ]);
});

Deno.test("applyOutcomes: a temporary failure is retried on schedule; the rest settle", () => {
  const first = applyOutcomes({
    receivedAt: 0,
    delivery: fresh("a@x.test", "b@x.test", "c@x.test"),
  }, {
    outcomes: [ok("a@x.test"), later("b@x.test"), never("c@x.test")],
    now: 1000,
    policy,
  });
  equal(first.done, false);
  equal(first.delivery.nextAttemptAt, 61_000);
  deepEqual(first.delivery.recipients.map((r) => [r.status, r.attempts]), [
    ["delivered", 1],
    ["queued", 1],
    ["bounced", 1],
  ]);
  deepEqual(first.failed, [{
    address: "c@x.test",
    reply: "550 5.1.1 no such user",
    remoteMta: "relay.example.net",
    expired: false,
  }]);

  const second = applyOutcomes({ receivedAt: 0, delivery: first.delivery }, {
    outcomes: [later("b@x.test")],
    now: 61_000,
    policy,
  });
  equal(second.delivery.nextAttemptAt, 361_000);
  deepEqual(second.failed, []);
  deepEqual(second.delivery.recipients[0], first.delivery.recipients[0]);
  deepEqual(second.delivery.recipients[1], {
    address: "b@x.test",
    status: "queued",
    attempts: 2,
    lastReply: "451 4.3.0 try later",
    lastAttemptAt: 61_000,
  });

  const third = applyOutcomes({ receivedAt: 0, delivery: second.delivery }, {
    outcomes: [ok("b@x.test")],
    now: 361_000,
    policy,
  });
  equal(third.done, true);
  deepEqual(third.delivery.recipients.map((r) => r.status), ["delivered", "delivered", "bounced"]);
});

Deno.test("applyOutcomes: a temporary failure after the lifetime bounces what is still queued", () => {
  const delivery = fresh("a@x.test", "b@x.test");
  delivery.recipients[1] = {
    address: "b@x.test",
    status: "queued",
    attempts: 3,
    lastReply: "451 earlier",
    lastAttemptAt: 10,
  };
  const result = applyOutcomes({ receivedAt: 0, delivery }, {
    outcomes: [later("a@x.test")],
    now: 3_600_000,
    policy,
  });
  equal(result.done, true);
  deepEqual(result.delivery.recipients.map((r) => [r.status, r.attempts, r.lastReply]), [
    ["bounced", 1, "451 4.3.0 try later"],
    ["bounced", 3, "451 earlier"],
  ]);
  deepEqual(result.failed, [
    {
      address: "a@x.test",
      reply: "451 4.3.0 try later",
      remoteMta: "relay.example.net",
      expired: true,
    },
    { address: "b@x.test", reply: "451 earlier", expired: true },
  ]);
});

Deno.test("applyOutcomes: a queued recipient without an outcome stays as it was", () => {
  const result = applyOutcomes({ receivedAt: 0, delivery: fresh("a@x.test", "b@x.test") }, {
    outcomes: [ok("a@x.test")],
    now: 5,
    policy,
  });
  equal(result.done, false);
  deepEqual(result.delivery.recipients[1], { address: "b@x.test", status: "queued", attempts: 0 });
  equal(result.delivery.nextAttemptAt, 60_005);
});
