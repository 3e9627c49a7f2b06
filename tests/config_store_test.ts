import { deepEqual, equal, throws } from "node:assert/strict";
import { ConfigError, parseConfig } from "../runtime/deno/config.ts";
import { describeStore } from "../runtime/deno/store_config.ts";

Deno.test("config: TOLLGATE_STORE unset or kv keeps the embedded store under TOLLGATE_DATA", () => {
  deepEqual(parseConfig({}, "mx.test").store, { kind: "kv" });
  deepEqual(parseConfig({ TOLLGATE_STORE: "KV" }, "mx.test").store, { kind: "kv" });
  equal(parseConfig({}, "mx.test").deliveryLeaseMs, 120_000);
  equal(describeStore({ kind: "kv" }, "./data"), "Deno KV ./data/tollgate.kv");
});

Deno.test("config: a postgres URL with schema, pool and lease; the password never shown", () => {
  const config = parseConfig({
    TOLLGATE_STORE: "postgresql://tg:pa55w0rd@db.test:5433/mail",
    TOLLGATE_STORE_SCHEMA: "mx_one",
    TOLLGATE_STORE_POOL: "4",
    TOLLGATE_DELIVERY_LEASE_MS: "30000",
  }, "mx.test");
  deepEqual(config.store, {
    kind: "postgres",
    url: "postgresql://tg:pa55w0rd@db.test:5433/mail",
    schema: "mx_one",
    poolMax: 4,
  });
  equal(config.deliveryLeaseMs, 30_000);
  equal(
    describeStore(config.store, "./data"),
    "PostgreSQL postgresql://tg:***@db.test:5433/mail schema mx_one",
  );
});

Deno.test("config: a bad store setting names itself, without echoing the URL", () => {
  const bad = (env: Record<string, string>, setting: string, hidden?: string) =>
    throws(() => parseConfig(env, "mx.test"), (error: unknown) => {
      equal(error instanceof ConfigError && error.setting, setting);
      if (hidden) equal((error as Error).message.includes(hidden), false);
      return true;
    });
  bad({ TOLLGATE_STORE: "mysql://u:hunter2@db/x" }, "TOLLGATE_STORE", "hunter2");
  bad(
    { TOLLGATE_STORE: "postgres://db/x", TOLLGATE_STORE_SCHEMA: "Bad-Name" },
    "TOLLGATE_STORE_SCHEMA",
  );
  bad({ TOLLGATE_STORE: "postgres://db/x", TOLLGATE_STORE_POOL: "1" }, "TOLLGATE_STORE_POOL");
  bad({ TOLLGATE_DELIVERY_LEASE_MS: "5" }, "TOLLGATE_DELIVERY_LEASE_MS");
});
