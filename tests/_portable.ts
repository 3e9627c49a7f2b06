/**
 * `test(name, fn)` for test files that run under Deno and under Node.js alike:
 * `Deno.test` where a `Deno` global exists, `node:test` elsewhere. A test
 * file that uses it and never names `Deno` is portable; `node_runtime_test.ts`
 * bundles every such file and runs them all under the machine's `node`.
 *
 * Test bodies assert with `node:assert/strict`, which both runtimes have.
 *
 * @module
 */
import { test as nodeTest } from "node:test";

let registered = 0;

/**
 * Registers a test with the runtime's test runner.
 *
 * @example
 * ```ts ignore
 * import { equal } from "node:assert/strict";
 * import { test } from "./_portable.ts";
 * test("addition", () => equal(1 + 1, 2));
 * ```
 */
export function test(name: string, fn: () => void | Promise<void>): void {
  registered += 1;
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (deno) deno.test(name, fn);
  else nodeTest(name, fn);
}

/**
 * How many tests {@linkcode test} has registered in this process.
 *
 * @example
 * ```ts ignore
 * import { registeredTests } from "./_portable.ts";
 * console.log(`# registered ${registeredTests()}`);
 * ```
 */
export function registeredTests(): number {
  return registered;
}
