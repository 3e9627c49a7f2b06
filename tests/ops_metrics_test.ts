/**
 * `GET /metrics` on a real Tollgate process after real traffic: one message
 * accepted after AUTH PLAIN, one failed AUTH LOGIN, one delivery to a relay.
 * The text is read by the official Python client's parser, not by us.
 *
 * @module
 */
import { equal, ok, throws } from "node:assert/strict";
import { parseConfig } from "../runtime/deno/config.ts";
import { eventually, submitMessage } from "./_ops_traffic.ts";
import { parseMetrics, promtool, type Sample, sampleValue } from "./_prometheus.ts";
import { authenticate } from "./_smtp_auth.ts";
import { addLocalUser, adminOk, type RunningTollgate, startTollgate } from "./_server.ts";
import { startRelay } from "./_smtp_server_relay.ts";

const SENDER = { address: "test@domain.de", password: "testing" };

async function scrape(tollgate: RunningTollgate, token = tollgate.token): Promise<Response> {
  return await fetch(`${tollgate.adminUrl}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

/** Scrapes `/metrics`, lints the text with `promtool check metrics` and parses it. */
async function samples(tollgate: RunningTollgate): Promise<Sample[]> {
  const response = await scrape(tollgate);
  equal(response.status, 200);
  ok(response.headers.get("content-type")!.startsWith("text/plain; version=0.0.4"));
  const text = await response.text();
  const lint = await promtool(["check", "metrics"], text);
  equal(lint.code, 0, lint.output);
  return await parseMetrics(text);
}

Deno.test("metrics: counters move with real traffic and parse with prometheus_client", async () => {
  const relay = await startRelay();
  const tollgate = await startTollgate({
    env: { TOLLGATE_DELIVERY: "on", TOLLGATE_AUTH_FAILURE_DELAY_MS: "0" },
  });
  try {
    equal((await scrape(tollgate, "wrong-token-wrong-token")).status, 401);
    await (await scrape(tollgate, "wrong-token-wrong-token")).body?.cancel();
    await addLocalUser(tollgate, SENDER);
    const route = { relay: "127.0.0.1", port: relay.port, tls: "none" };
    await adminOk(tollgate, { method: "PUT", path: "/api/routes/*", body: route });
    const before = await samples(tollgate);
    equal(sampleValue(before, "tollgate_messages_accepted_total"), 0);

    const failed = await authenticate(tollgate.smtpPort, {
      mechanism: "LOGIN",
      user: SENDER.address,
      password: "not-the-password",
    });
    equal(failed.auth, 535);
    await submitMessage(tollgate, SENDER, "friend@example.net");
    await eventually(
      "the relay to take it",
      () => Promise.resolve(relay.messages.length > 0 ? true : undefined),
    );
    const after = await eventually("the delivery to be counted", async () => {
      const all = await samples(tollgate);
      const delivered = { outcome: "delivered", route: "*" };
      // The attempt is counted just before the message leaves the queue.
      return sampleValue(all, "tollgate_delivery_attempts_total", delivered) === 1 &&
          sampleValue(all, "tollgate_queue_messages") === 0
        ? all
        : undefined;
    });

    equal(sampleValue(after, "tollgate_messages_accepted_total"), 1);
    ok(sampleValue(after, "tollgate_messages_accepted_bytes_total") > 0);
    equal(sampleValue(after, "tollgate_message_size_bytes_count"), 1);
    const rejected = { mechanism: "LOGIN", result: "rejected" };
    equal(sampleValue(after, "tollgate_auth_attempts_total", rejected), 1);
    const accepted = { mechanism: "PLAIN", result: "accepted" };
    equal(sampleValue(after, "tollgate_auth_attempts_total", accepted), 1);
    equal(sampleValue(after, "tollgate_connections_accepted_total", { listener: "smtp" }), 2);
    equal(sampleValue(after, "tollgate_connections_open", { listener: "smtp" }), 0);
    ok(sampleValue(after, "tollgate_smtp_replies_total", { class: "2xx" }) >= 8);
    // 535 to the wrong password, then 553 to RCPT for a foreign domain without AUTH.
    equal(sampleValue(after, "tollgate_smtp_replies_total", { class: "5xx" }), 2);
    equal(sampleValue(after, "tollgate_delivery_latency_seconds_count", { route: "*" }), 1);
    equal(sampleValue(after, "tollgate_queue_messages"), 0);
    equal(sampleValue(after, "tollgate_queue_oldest_age_seconds"), 0);
    const types = new Map(after.map((sample) => [sample.name, sample.type]));
    equal(types.get("tollgate_delivery_latency_seconds_bucket"), "histogram");
    equal(types.get("tollgate_connections_accepted_total"), "counter");
  } finally {
    await tollgate.stop();
    await relay.close();
  }
});

Deno.test("docs: the example Prometheus rules pass promtool check rules", async () => {
  const checked = await promtool(["check", "rules", "docs/prometheus/tollgate.rules.yml"]);
  equal(checked.code, 0, checked.output);
});

Deno.test("metrics: TOLLGATE_METRICS_TOKEN opens /metrics and not /api", async () => {
  const metricsToken = "prometheus-scrape-token-0123";
  const tollgate = await startTollgate({ env: { TOLLGATE_METRICS_TOKEN: metricsToken } });
  try {
    equal((await scrape(tollgate, metricsToken)).status, 200);
    equal((await scrape(tollgate)).status, 200, "the admin token still opens /metrics");
    const api = await fetch(`${tollgate.adminUrl}/api/domains`, {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    equal(api.status, 401);
    await api.body?.cancel();
    equal((await tollgate.admin("GET", "/api/domains")).status, 200);
  } finally {
    await tollgate.stop();
  }
});

Deno.test("config: TOLLGATE_METRICS_TOKEN is read, and refused like the admin token", () => {
  equal(parseConfig({}, "h").metricsToken, undefined);
  const token = "prometheus-scrape-token-0123";
  equal(parseConfig({ TOLLGATE_METRICS_TOKEN: token }, "h").metricsToken, token);
  for (const bad of ["short", "has spaces but is long enough"]) {
    throws(() => parseConfig({ TOLLGATE_METRICS_TOKEN: bad }, "h"), {
      name: "ConfigError",
      message: /TOLLGATE_METRICS_TOKEN: must be at least 16 characters/,
    });
  }
});
