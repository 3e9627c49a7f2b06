/**
 * Queue control through the admin API of a real Tollgate process with a relay up:
 * a held message is not delivered, shows `held: true`, and release delivers it;
 * the same by route and by recipient domain.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { eventually, submitMessage } from "./_ops_traffic.ts";
import { parseMetrics, sampleValue } from "./_prometheus.ts";
import { addLocalUser, adminOk, startTollgate } from "./_server.ts";
import { startRelay } from "./_smtp_server_relay.ts";

const SENDER = { address: "test@domain.de", password: "testing" };

Deno.test("queue control: held mail waits while the relay is up; release delivers it", async () => {
  let refusing = true;
  const relay = await startRelay({
    refuseRecipient: () => refusing ? { code: 451, message: "4.3.0 not yet" } : undefined,
  });
  const tollgate = await startTollgate({
    env: { TOLLGATE_DELIVERY: "on", TOLLGATE_QUEUE_RETRY: "1s" },
  });
  const post = (path: string, body?: unknown) => adminOk(tollgate, { method: "POST", path, body });
  try {
    await addLocalUser(tollgate, SENDER);
    const route = { relay: "127.0.0.1", port: relay.port, tls: "none" };
    await adminOk(tollgate, { method: "PUT", path: "/api/routes/*", body: route });
    const net = await submitMessage(tollgate, SENDER, "a@example.net");
    const org = await submitMessage(tollgate, SENDER, "b@example.org");
    // Both tried once (and deferred) before the hold, so the hold meets messages mid-schedule.
    for (const id of [net, org]) {
      await eventually(`${id} tried`, async () => {
        const item = await adminOk(tollgate, { method: "GET", path: `/api/queue/${id}` }) as {
          recipients: { attempts: number }[];
        };
        return item.recipients[0].attempts > 0 ? true : undefined;
      });
    }
    deepEqual(await post("/api/queue/hold", { route: "*" }), { matched: 2, changed: 2 });
    refusing = false;
    const metrics = await parseMetrics(await (await tollgate.admin("GET", "/metrics")).text());
    deepEqual(
      ["tollgate_queue_messages", "tollgate_queue_held_messages"].map((name) =>
        sampleValue(metrics, name)
      ),
      [2, 2],
    );
    ok(sampleValue(metrics, "tollgate_queue_oldest_age_seconds") > 0);
    ok(sampleValue(metrics, "tollgate_delivery_attempts_total", { outcome: "deferred" }) >= 2);

    const view = await adminOk(tollgate, { method: "GET", path: `/api/queue/${net}` }) as {
      held: boolean;
      nextAttemptAt: string | null;
    };
    deepEqual([view.held, view.nextAttemptAt], [true, null]);
    const list = await adminOk(tollgate, { method: "GET", path: "/api/queue" }) as {
      messages: { id: string; held: boolean }[];
    };
    deepEqual(list.messages.map((message) => message.held), [true, true]);
    const retry = await tollgate.admin("POST", `/api/queue/${net}/retry`);
    equal(retry.status, 409);
    await retry.body?.cancel();
    deepEqual(await post("/api/queue/retry", { domain: "example.net" }), {
      matched: 1,
      changed: 0,
    });
    // Three retry periods with the relay up and accepting: nothing arrives.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    equal(relay.messages.length, 0);

    deepEqual(await post("/api/queue/release", { domain: "EXAMPLE.org" }), {
      matched: 1,
      changed: 1,
    });
    await eventually(
      "example.org's message delivered",
      () => Promise.resolve(relay.messages.length === 1 ? true : undefined),
    );
    deepEqual(relay.messages[0].to, ["b@example.org"]);
    deepEqual(await post(`/api/queue/${net}/release`), { id: net, held: false });
    await eventually(
      "example.net's message delivered",
      () => Promise.resolve(relay.messages.length === 2 ? true : undefined),
    );
    deepEqual(relay.messages[1].to, ["a@example.net"]);

    const bad = await tollgate.admin("POST", "/api/queue/hold", { nothing: 1 });
    equal(bad.status, 400);
    await bad.body?.cancel();
    const unknown = await tollgate.admin("POST", "/api/queue/0000000000000000dead/hold");
    equal(unknown.status, 404);
    await unknown.body?.cancel();
  } finally {
    await tollgate.stop();
    await relay.close();
  }
});
