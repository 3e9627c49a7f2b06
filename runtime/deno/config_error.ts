/**
 * The error every settings parser throws: which `TOLLGATE_*` setting is at fault, and why.
 *
 * @module
 */

/**
 * A setting has a value Tollgate cannot use.
 *
 * @example
 * ```ts
 * import { ConfigError } from "@tollgate/tollgate/deno";
 * const error = new ConfigError("TOLLGATE_SMTP", "not host:port");
 * console.log(error.message, error.setting); // "TOLLGATE_SMTP: not host:port" "TOLLGATE_SMTP"
 * ```
 */
export class ConfigError extends Error {
  /** The environment variable at fault. */
  readonly setting: string;

  /** Names the setting and says what is wrong with it. */
  constructor(setting: string, problem: string) {
    super(`${setting}: ${problem}`);
    this.name = "ConfigError";
    this.setting = setting;
  }
}
