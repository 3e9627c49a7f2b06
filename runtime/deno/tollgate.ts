/**
 * Starts a whole Tollgate on Deno: {@linkcode composeTollgate} on the
 * {@linkcode denoPlatform}.
 *
 * @module
 */
import { composeTollgate, type RunningTollgate } from "../../server/compose.ts";
import type { TollgateConfig } from "./config.ts";
import { denoPlatform } from "./platform.ts";

export type { RunningTollgate };

/**
 * Starts Tollgate with the given settings.
 *
 * @example
 * ```ts ignore
 * import { parseConfig, startTollgate } from "@tollgate/tollgate/deno";
 * const tollgate = await startTollgate(parseConfig(Deno.env.toObject(), Deno.hostname()));
 * console.log(tollgate.smtp.port);
 * await tollgate.shutdown();
 * ```
 */
export async function startTollgate(
  config: TollgateConfig,
  log: (line: string) => void = console.log,
): Promise<RunningTollgate> {
  return await composeTollgate(config, await denoPlatform(config, log));
}
