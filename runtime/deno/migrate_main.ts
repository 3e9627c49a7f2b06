/**
 * `deno task migrate-store --from kv:<dataDir> --to postgres://…` (or the
 * other way round): copies every store from one backend into an empty other
 * (`store/migrate.ts`) and prints what it copied. Stop Tollgate first: the
 * source must not change while it is read.
 *
 * @module
 */
import { migrateStores, type MigrationCounts } from "../../store/migrate.ts";
import type { Stores } from "../../store/types.ts";
import { openPostgresStores } from "../postgres/stores.ts";
import { openKvStores } from "./kv_open.ts";

/** A store named on the command line, opened. */
interface OpenedTarget {
  stores: Stores;
  close(): void | Promise<void>;
}

/**
 * Opens `kv:<dataDir>` (the folder `TOLLGATE_DATA` names: `tollgate.kv` and
 * `bodies/` in it) or a `postgres://` / `postgresql://` URL.
 *
 * @example
 * ```ts ignore
 * import { openStoreSpec } from "./migrate_main.ts";
 * const { stores, close } = await openStoreSpec("kv:./data");
 * console.log(await stores.domains.list());
 * await close();
 * ```
 * @throws {TypeError} For anything else.
 */
export async function openStoreSpec(spec: string): Promise<OpenedTarget> {
  if (spec.startsWith("kv:")) {
    const dir = spec.slice(3);
    if (dir === "") throw new TypeError("Cannot open kv: give the data folder, as kv:./data");
    return await openKvStores(`${dir}/tollgate.kv`, { bodyDir: `${dir}/bodies` });
  }
  if (/^postgres(ql)?:\/\//.test(spec)) return await openPostgresStores(spec);
  throw new TypeError(`Cannot open store "${spec}": use kv:<dataDir> or postgres://…`);
}

/**
 * The counts as one line each, for people.
 *
 * @example
 * ```ts ignore
 * import { formatCounts } from "./migrate_main.ts";
 * const counts = { domains: 1, users: 2, networks: 0, routes: 1, senderGrants: 0, messages: 3, bodyBytes: 900 };
 * console.log(formatCounts(counts)[0]); // "domains        1"
 * ```
 */
export function formatCounts(counts: MigrationCounts): string[] {
  return [
    `domains        ${counts.domains}`,
    `users          ${counts.users}`,
    `networks       ${counts.networks}`,
    `routes         ${counts.routes}`,
    `sender grants  ${counts.senderGrants}`,
    `messages       ${counts.messages} (${counts.bodyBytes} body bytes)`,
  ];
}

/**
 * Runs the command on `args`; returns the exit code (0 done, 1 refused or
 * failed, 2 usage).
 *
 * @example
 * ```ts ignore
 * import { runMigrateStore } from "./migrate_main.ts";
 * Deno.exit(await runMigrateStore(["--from", "kv:./data", "--to", "postgres://t@db/tollgate"]));
 * ```
 */
export async function runMigrateStore(
  args: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  const from = valueOf(args, "--from");
  const to = valueOf(args, "--to");
  if (from === undefined || to === undefined || from === to) {
    err("usage: migrate-store --from kv:<dataDir>|postgres://… --to kv:<dataDir>|postgres://…");
    return 2;
  }
  let source: OpenedTarget | undefined;
  let target: OpenedTarget | undefined;
  try {
    source = await openStoreSpec(from);
    target = await openStoreSpec(to);
    const counts = await migrateStores(source.stores, target.stores);
    out(`migrated ${redact(from)} -> ${redact(to)}`);
    for (const line of formatCounts(counts)) out(line);
    return 0;
  } catch (error) {
    err(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await target?.close();
    await source?.close();
  }
}

function valueOf(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  return args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** A URL without its password, for the output. */
function redact(spec: string): string {
  return spec.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, "$1:***@");
}

if (import.meta.main) Deno.exit(await runMigrateStore(Deno.args));
