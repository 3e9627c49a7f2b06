import { deepEqual, equal, ok } from "node:assert/strict";
import { runPortableTestsUnderNode } from "./_node_run.ts";

/** The tests issue 16 asks to prove under Node.js; each must stay portable. */
const REQUIRED_FILES = [
  "admin_users_test.ts",
  "auth_cram_md5_test.ts",
  "auth_login_test.ts",
  "auth_plain_test.ts",
  "relay_no_open_relay_test.ts",
  "relay_policy_test.ts",
  "delivery_routes_test.ts",
  "smtp_dialogue_test.ts",
  "store_memory_test.ts",
  "store_kv_npm_test.ts",
];

/** Tests that fail on a core that needs ES2024+ built-ins (Node.js 20 lacks them). */
const REQUIRED_TESTS = [
  "the seed's telnet session with the user name it meant: 235, then relaying works",
  "RFC 4954: every AUTH error gets its reply",
  "CRAM-MD5 with the challenge from the injected random source",
  "memory: users put, get, replace, remove",
  // The KV backend on @deno/kv's native addon (kept out of the bundle, found in node_modules/).
  "kv npm :memory:: queue commit, list, get, readBody, remove",
  "kv npm file: queue commit, list, get, readBody, remove",
];

/** Fewer than this many tests means files or tests went missing from the bundle. */
const MIN_TESTS = 320;

Deno.test("the portable tests pass under Node.js, every one that was registered", async () => {
  const run = await runPortableTestsUnderNode();
  const major = Number(/^v(\d+)\./.exec(run.version)?.[1]);
  ok(major >= 20, `node ${run.version}`);
  deepEqual(REQUIRED_FILES.filter((name) => !run.files.includes(name)), []);
  ok(run.registered >= MIN_TESTS, `only ${run.registered} tests registered`);
  deepEqual(run.failed, []);
  equal(run.passed.length, run.registered);
  deepEqual(REQUIRED_TESTS.filter((name) => !run.passed.includes(name)), []);
});
