import { deepEqual, equal, throws } from "node:assert/strict";
import { ConfigError, parseConfig } from "../runtime/deno/config.ts";

const MINUTE = 60_000;

Deno.test("config: delivery defaults are 1m,5m,15m,1h,4h, 7 days, system DNS, 20 connections", () => {
  const config = parseConfig({}, "mail.example.net");
  deepEqual(config.queueRetry, [MINUTE, 5 * MINUTE, 15 * MINUTE, 60 * MINUTE, 240 * MINUTE]);
  equal(config.queueLifetimeMs, 7 * 24 * 60 * MINUTE);
  equal(config.dns, undefined);
  equal(config.outboundConcurrency, 20);
});

Deno.test("config: delivery settings are read", () => {
  const config = parseConfig({
    TOLLGATE_QUEUE_RETRY: "1s",
    TOLLGATE_QUEUE_LIFETIME: "2h",
    TOLLGATE_DNS: "127.0.0.1:5353",
    TOLLGATE_OUTBOUND_CONCURRENCY: "3",
  }, "mail.example.net");
  deepEqual(config.queueRetry, [1000]);
  equal(config.queueLifetimeMs, 2 * 60 * MINUTE);
  deepEqual(config.dns, { ipAddr: "127.0.0.1", port: 5353 });
  equal(config.outboundConcurrency, 3);
  deepEqual(parseConfig({ TOLLGATE_DNS: "[::1]:53" }, "h").dns, { ipAddr: "::1", port: 53 });
});

Deno.test("config: a bad delivery setting names itself", () => {
  const cases: [string, string, RegExp][] = [
    [
      "TOLLGATE_QUEUE_RETRY",
      "1m,often",
      /TOLLGATE_QUEUE_RETRY: Cannot parse retry schedule: "often"/,
    ],
    ["TOLLGATE_QUEUE_LIFETIME", "0", /TOLLGATE_QUEUE_LIFETIME: Cannot parse duration: "0" is zero/],
    ["TOLLGATE_DNS", "dns.example.net:53", /TOLLGATE_DNS: .* must be an IP address and port/],
    ["TOLLGATE_DNS", "127.0.0.1", /TOLLGATE_DNS: "127.0.0.1" is not host:port/],
    [
      "TOLLGATE_OUTBOUND_CONCURRENCY",
      "0",
      /TOLLGATE_OUTBOUND_CONCURRENCY: "0" is not a whole number >= 1/,
    ],
  ];
  for (const [name, value, message] of cases) {
    throws(
      () => parseConfig({ [name]: value }, "h"),
      (error: unknown) =>
        error instanceof ConfigError && error.setting === name && message.test(error.message),
    );
  }
});
