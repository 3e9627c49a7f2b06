/**
 * `deno task start`: runs Tollgate with the settings from the environment
 * (see the README) until SIGINT or SIGTERM.
 *
 * @module
 */
import { ConfigError, parseConfig } from "./config.ts";
import { startTollgate } from "./tollgate.ts";
import { jsonLogLine } from "../../server/log_record.ts";

let log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

let config;
let tollgate;
try {
  config = parseConfig(Deno.env.toObject(), Deno.hostname());
  if (config.logFormat === "json") log = (line) => console.log(jsonLogLine(line, Date.now()));
  tollgate = await startTollgate(config, log);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`tollgate: cannot start: ${error.message}`);
  Deno.exit(2);
}

const show = (address: { hostname: string; port: number }) =>
  address.hostname.includes(":")
    ? `[${address.hostname}]:${address.port}`
    : `${address.hostname}:${address.port}`;
log(`smtp listening on ${show(tollgate.smtp)} as ${config.hostname}`);
if (tollgate.submission) log(`submission listening on ${show(tollgate.submission)}`);
if (tollgate.submissions) log(`submissions listening on ${show(tollgate.submissions)}`);
log(`admin listening on http://${show(tollgate.admin)}`);
if (tollgate.adminTokenPath) log(`admin token in ${tollgate.adminTokenPath}`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: shutting down`);
  await tollgate.shutdown();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
