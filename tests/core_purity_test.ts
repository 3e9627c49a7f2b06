import { deepEqual, equal } from "node:assert/strict";
import plugin, { isCoreFile } from "../tools/lint_core_purity.ts";

const RULE_ID = "tollgate/core-purity";

function lint(fileName: string, source: string): Deno.lint.Diagnostic[] {
  return Deno.lint.runPlugin(plugin, fileName, source);
}

function reportedTexts(fileName: string, source: string): string[] {
  return lint(fileName, source).map((diagnostic) => {
    equal(diagnostic.id, RULE_ID);
    return source.slice(diagnostic.range[0], diagnostic.range[1]);
  });
}

Deno.test("core purity: every core folder is checked, other folders are not", () => {
  for (const folder of ["smtp", "auth", "relay", "delivery", "server", "store", "admin"]) {
    equal(isCoreFile(`${folder}/x.ts`), true, folder);
    equal(isCoreFile(new URL(`../${folder}/x.ts`, import.meta.url).pathname), true, folder);
  }
  for (
    const path of [
      "runtime/deno/main.ts",
      "tests/x_test.ts",
      "bench/run.ts",
      "tools/x.ts",
      "mod.ts",
    ]
  ) {
    equal(isCoreFile(path), false, path);
  }
  equal(isCoreFile("/elsewhere/smtp/x.ts"), false);
  equal(isCoreFile("smtpx/x.ts"), false);
});

Deno.test("core purity: reports each way of reaching the Deno namespace", () => {
  const cases: Array<[string, string]> = [
    ["const home = Deno.env.get('HOME');", "Deno"],
    ["const d = globalThis.Deno;", "Deno"],
    ['const d = globalThis["Deno"];', '"Deno"'],
    ["const d = globalThis[`Deno`];", "`Deno`"],
    ["const d = (globalThis as any).Deno;", "Deno"],
    ["export function f(conn: Deno.Conn) { return conn; }", "Deno"],
    ["const { Deno: runtime } = globalThis as any;", "Deno"],
  ];
  for (const [source, expected] of cases) {
    deepEqual(reportedTexts("smtp/session.ts", source), [expected], source);
  }
});

Deno.test("core purity: reports node: specifiers in every import form", () => {
  const cases: Array<[string, string]> = [
    ['import { Buffer } from "node:buffer";', '"node:buffer"'],
    ['import "node:process";', '"node:process"'],
    ['import type { Socket } from "node:net";', '"node:net"'],
    ['export { createHash } from "node:crypto";', '"node:crypto"'],
    ['export * from "node:fs";', '"node:fs"'],
    ['const fs = await import("node:fs");', '"node:fs"'],
    ['type Stats = import("node:fs").Stats;', '"node:fs"'],
    ['const fs = require("node:fs");', '"node:fs"'],
  ];
  for (const [source, expected] of cases) {
    deepEqual(reportedTexts("auth/x.ts", source), [expected], source);
  }
});

Deno.test("core purity: allows runtime-agnostic code in core folders", () => {
  const sources = [
    'import { z } from "zod";',
    'import { hmac } from "@noble/hashes/hmac.js";',
    'export { parseCommand } from "./command.ts";',
    "const bytes = new TextEncoder().encode('EHLO');",
    "const denoLike = { name: 'Denominator' }; const n = denoLike.name;",
    "// Deno.exit() in a comment is fine\nconst ok = true;",
    'const label = "Deno"; // a plain string is not an access',
    'const mod = await import("./session.ts");',
    'const note = "node:fs is not imported here";',
  ];
  for (const source of sources) deepEqual(lint("relay/x.ts", source), [], source);
});

Deno.test("core purity: ignores files outside the core folders", () => {
  const source = 'import { Buffer } from "node:buffer";\nDeno.exit(0);';
  deepEqual(lint("runtime/deno/main.ts", source), []);
  equal(lint("store/kv.ts", source).length, 2);
});

Deno.test("core purity: every top-level folder with a mod.ts is core, except runtime/", () => {
  const root = new URL("../", import.meta.url);
  for (const entry of Deno.readDirSync(root)) {
    if (!entry.isDirectory || entry.name === "runtime" || entry.name.startsWith(".")) continue;
    const hasMod = [...Deno.readDirSync(new URL(`${entry.name}/`, root))]
      .some((file) => file.name === "mod.ts");
    if (hasMod) equal(isCoreFile(`${entry.name}/mod.ts`), true, entry.name);
  }
  equal(isCoreFile("store/kv/kv_queue.ts"), true);
  equal(isCoreFile("runtime/deno/kv_open.ts"), false);
});
