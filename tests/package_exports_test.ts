import { deepEqual, equal } from "node:assert/strict";
import { CORE_FOLDERS } from "../tools/lint_core_purity.ts";

const REPO = new URL("../", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", REPO)));
/** Every entry point of the package, as deno.json's `exports` lists them. */
const ENTRY_POINTS: [string, string][] = Object.entries(config.exports);

async function deno(...args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO,
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder();
  return { code, output: text.decode(stdout) + text.decode(stderr) };
}

Deno.test("package: deno doc --lint reports nothing on the entry points", async () => {
  // All at once, as JSR reads the package: a type exported by any entry point is public.
  const { code, output } = await deno("doc", "--lint", ...ENTRY_POINTS.map(([, path]) => path));
  equal(code, 0, output);
  deepEqual(output.match(/^error\[.*$/gm) ?? [], []);
});

Deno.test("package: every entry point but the runtime adapters (./deno, ./postgres) imports only the runtime-free core", async () => {
  for (const [name, path] of ENTRY_POINTS) {
    if (path.startsWith("./runtime/")) continue;
    const { code, output } = await deno("info", "--json", path);
    equal(code, 0, output);
    const outside = (JSON.parse(output).modules as { specifier: string }[])
      .map(({ specifier }) => specifier)
      .filter((specifier) => specifier.startsWith("file:") || specifier.startsWith("node:"))
      .map((specifier) => specifier.replace(REPO.href, ""))
      .filter((file) => file !== "mod.ts" && !CORE_FOLDERS.includes(file.split("/")[0]));
    deepEqual(outside, [], `${name} imports outside the core`);
  }
});

/**
 * Every exported declaration of the core entry points (functions, classes,
 * interfaces, type aliases, variables) without an `@example`, as
 * `file:line kind name`. A re-export (`reference`) is checked where it is declared.
 */
async function declarationsWithoutExample(): Promise<string[]> {
  const core = ENTRY_POINTS.filter(([, path]) => !path.startsWith("./runtime/")).map(([, path]) =>
    path
  );
  const { code, output } = await deno("doc", "--json", ...core);
  equal(code, 0, output);
  type Declaration = {
    kind: string;
    location: { filename: string; line: number };
    jsDoc?: { tags?: { kind: string }[] };
  };
  type Node = { symbols?: { name: string; declarations: Declaration[] }[] };
  const missing = Object.values(JSON.parse(output).nodes as Record<string, Node>)
    .flatMap((node) => node.symbols ?? [])
    .flatMap(({ name, declarations }) =>
      declarations
        .filter(({ kind, jsDoc }) =>
          kind !== "reference" && !jsDoc?.tags?.some((tag) => tag.kind === "example")
        )
        .map(({ kind, location }) =>
          `${location.filename.replace(REPO.href, "")}:${location.line} ${kind} ${name}`
        )
    );
  return [...new Set(missing)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

Deno.test("package: every exported declaration of the core entry points has an @example", async () => {
  const missing = await declarationsWithoutExample();
  deepEqual(missing, [], `${missing.length} without an @example:\n${missing.join("\n")}`);
});
