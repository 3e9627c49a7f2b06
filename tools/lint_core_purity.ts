/**
 * A `deno lint` plugin that keeps Tollgate's core folders runtime-agnostic.
 *
 * In `smtp/`, `auth/`, `relay/`, `delivery/`, `server/`, `store/` and `admin/` it reports:
 * - every `Deno` identifier (`Deno.env`, `globalThis.Deno`, `(globalThis as any).Deno`,
 *   `import type { Deno }`, a `Deno.Conn` type), and a computed `globalThis["Deno"]`;
 * - every `node:` specifier in `import`, `export ... from`, `import()`, `import("node:x")`
 *   types and `require()`.
 *
 * `deno check --config tools/core.deno.json` catches typed `Deno.*` use; this rule closes the
 * two holes that type-checking leaves open (`any` casts and `node:` imports). Files elsewhere
 * (`runtime/`, `tests/`, `bench/`, `tools/`) are not checked.
 *
 * @example
 * ```ts
 * import plugin from "./lint_core_purity.ts";
 * const diagnostics = Deno.lint.runPlugin(plugin, "smtp/x.ts", "Deno.exit(1);");
 * console.log(diagnostics[0].id); // "tollgate/core-purity"
 * ```
 *
 * @module
 */

/** The folders whose files must not touch Deno or Node APIs. */
export const CORE_FOLDERS: readonly string[] = [
  "smtp",
  "auth",
  "relay",
  "delivery",
  "server",
  "store",
  "admin",
];

const REPO_ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

/**
 * Whether a file (absolute, or relative to the repository root) lies in a core folder.
 *
 * @example
 * ```ts
 * import { isCoreFile } from "./lint_core_purity.ts";
 * console.log(isCoreFile("smtp/session.ts")); // true
 * console.log(isCoreFile("runtime/deno/main.ts")); // false
 * ```
 */
export function isCoreFile(fileName: string): boolean {
  const normalized = fileName.replaceAll("\\", "/");
  const relative = normalized.startsWith(REPO_ROOT)
    ? normalized.slice(REPO_ROOT.length)
    : normalized.replace(/^\.\//, "");
  const firstSegment = relative.split("/")[0];
  return relative.includes("/") && CORE_FOLDERS.includes(firstSegment);
}

function staticString(node: Deno.lint.Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) {
    return node.quasis[0]?.cooked ?? undefined;
  }
  if (node.type === "TSLiteralType") return staticString(node.literal);
  return undefined;
}

const DENO_MESSAGE = "Core folders must not use the Deno namespace";
const DENO_HINT =
  "Pass what you need in from runtime/deno/ (the only folder that touches Deno APIs).";
const NODE_MESSAGE = "Core folders must not import node: modules";
const NODE_HINT = "Use web-standard APIs or an npm package from the import map instead.";

const corePurity: Deno.lint.Rule = {
  create(ctx) {
    if (!isCoreFile(ctx.filename)) return {};
    const reportNodeSpecifier = (source: Deno.lint.Node | null | undefined) => {
      if (source && staticString(source)?.startsWith("node:")) {
        ctx.report({ node: source, message: NODE_MESSAGE, hint: NODE_HINT });
      }
    };
    return {
      Identifier(node) {
        if (node.name === "Deno") ctx.report({ node, message: DENO_MESSAGE, hint: DENO_HINT });
      },
      MemberExpression(node) {
        if (node.computed && staticString(node.property) === "Deno") {
          ctx.report({ node: node.property, message: DENO_MESSAGE, hint: DENO_HINT });
        }
      },
      ImportDeclaration: (node) => reportNodeSpecifier(node.source),
      ExportNamedDeclaration: (node) => reportNodeSpecifier(node.source),
      ExportAllDeclaration: (node) => reportNodeSpecifier(node.source),
      ImportExpression: (node) => reportNodeSpecifier(node.source),
      TSImportType: (node) => reportNodeSpecifier(node.argument),
      CallExpression(node) {
        if (node.callee.type === "Identifier" && node.callee.name === "require") {
          reportNodeSpecifier(node.arguments[0]);
        }
      },
    };
  },
};

/** The plugin object `deno lint` loads: one rule, `tollgate/core-purity`. */
const plugin: Deno.lint.Plugin = {
  name: "tollgate",
  rules: { "core-purity": corePurity },
};

export default plugin;
