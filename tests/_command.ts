/**
 * Runs a program with `input` on its standard input and collects what it wrote, for the tests
 * that drive command-line tools (openssl, promtool, Python's parsers).
 *
 * @module
 */

/** What a program exited with and wrote. */
export interface CommandResult {
  /** The exit code. */
  code: number;
  /** Standard output, as text. */
  stdout: string;
  /** Standard error, as text. */
  stderr: string;
}

/**
 * Runs `command` with `args`, writes `input` to its standard input and closes it.
 *
 * @example
 * ```ts
 * import { runWithInput } from "./_command.ts";
 * const { code, stdout } = await runWithInput("cat", [], "hello");
 * console.log(code, stdout); // 0 "hello"
 * ```
 */
export async function runWithInput(
  command: string,
  args: string[],
  input = "",
): Promise<CommandResult> {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}
