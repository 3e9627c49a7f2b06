/**
 * Runs the portable test files (see `_portable.ts`) under Node.js: finds every
 * `*_test.ts` that registers through `./_portable.ts` and never names `Deno`,
 * bundles them into one ES module with `deno bundle`, runs it with the
 * machine's `node` and reads the TAP summary. npm packages with a native
 * addon (`@deno/kv`) stay outside the bundle: the bundle is written to a
 * temporary folder under `node_modules/.cache/`, so that node finds them
 * in the repository's `node_modules/` (deno's `nodeModulesDir: auto` puts
 * them there; node's ES module loader ignores `NODE_PATH`).
 *
 * @module
 */

const TESTS = new URL("./", import.meta.url);
const REPO = new URL("../", import.meta.url);
const CACHE = new URL("node_modules/.cache/", REPO);

/** Imports the bundle leaves to node: its built-ins and packages with a native addon. */
const EXTERNAL = ["node:*", "@deno/kv"];

/** What one run of the portable tests under Node.js reported. */
export interface NodeRun {
  /** `node --version`, e.g. "v20.19.5". */
  version: string;
  /** The test files bundled, sorted (names relative to `tests/`). */
  files: string[];
  /** How many tests the bundle registered (counted by `_portable.ts`). */
  registered: number;
  /** The names of the tests that passed. */
  passed: string[];
  /** The tests that failed, each as "name: error". */
  failed: string[];
}

/**
 * The test files that run under Node.js as well as under Deno.
 *
 * @example
 * ```ts ignore
 * console.log(await portableTestFiles()); // ["admin_auth_test.ts", ...]
 * ```
 */
export async function portableTestFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(TESTS)) {
    if (!entry.isFile || !entry.name.endsWith("_test.ts")) continue;
    const source = await Deno.readTextFile(new URL(entry.name, TESTS));
    if (source.includes('from "./_portable.ts"') && !source.includes("Deno.")) {
      files.push(entry.name);
    }
  }
  return files.sort();
}

/**
 * Bundles the portable test files and runs them under `node`.
 *
 * @example
 * ```ts ignore
 * const run = await runPortableTestsUnderNode();
 * console.log(`${run.passed} of ${run.registered} passed under Node ${run.version}`);
 * ```
 */
export async function runPortableTestsUnderNode(): Promise<NodeRun> {
  const files = await portableTestFiles();
  // The entry stays out of node_modules/ (deno strips no types there); the bundle goes in.
  const dir = await Deno.makeTempDir({ prefix: "tollgate_node_" });
  await Deno.mkdir(CACHE, { recursive: true });
  const out = await Deno.makeTempDir({ dir: CACHE.pathname, prefix: "tollgate_node_" });
  try {
    const entry = `${dir}/suite.ts`;
    const bundle = `${out}/suite.mjs`;
    await Deno.writeTextFile(entry, suiteSource(files));
    await run(Deno.execPath(), [
      "bundle",
      "--quiet",
      "--platform=browser",
      "--format=esm",
      ...EXTERNAL.map((name) => `--external=${name}`),
      `--config=${new URL("deno.json", REPO).pathname}`,
      `--output=${bundle}`,
      entry,
    ]);
    const version = (await run("node", ["--version"])).stdout.trim();
    const { stdout } = await run("node", ["--test-reporter=tap", bundle], { allowFailure: true });
    return { version, files, ...summary(stdout) };
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
}

function suiteSource(files: string[]): string {
  const imports = files.map((name) => `import ${JSON.stringify(new URL(name, TESTS).href)};`);
  const portable = JSON.stringify(new URL("_portable.ts", TESTS).href);
  return [
    ...imports,
    `import { registeredTests } from ${portable};`,
    "console.log(`# registered ${registeredTests()}`);",
    "",
  ].join("\n");
}

function summary(tap: string): Pick<NodeRun, "registered" | "passed" | "failed"> {
  const lines = tap.split("\n");
  const passed: string[] = [];
  const failed: string[] = [];
  lines.forEach((line, i) => {
    const result = /^(ok|not ok) \d+ - (.*)$/.exec(line);
    if (result?.[1] === "ok") passed.push(result[2]);
    if (result?.[1] === "not ok") {
      const at = lines.findIndex((next, j) => j > i && /^\s+error: /.test(next));
      // A multi-line error is a YAML block (`error: |-`) whose text starts on the next line.
      const error = lines[at]?.endsWith("|-") ? lines[at + 1] : lines[at];
      failed.push(`${result[2]}: ${error?.trim() ?? "(no error line)"}`);
    }
  });
  const registered = Number(/^# registered (\d+)$/m.exec(tap)?.[1]);
  return { registered, passed, failed };
}

async function run(
  command: string,
  args: string[],
  options: { allowFailure?: boolean } = {},
): Promise<{ stdout: string }> {
  const result = await new Deno.Command(command, { args, cwd: REPO, stdin: "null" }).output();
  const stdout = new TextDecoder().decode(result.stdout);
  if (!result.success && !options.allowFailure) {
    const stderr = new TextDecoder().decode(result.stderr);
    throw new Error(`Cannot run ${command} ${args[0]}: exit ${result.code}\n${stderr}`);
  }
  return { stdout };
}
