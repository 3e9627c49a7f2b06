/**
 * Waits for a condition by polling it, with a deadline that ends the wait with an error
 * naming what never happened: every wait of the end-to-end benchmark is bounded.
 *
 * @module
 */

/** How long to wait and what for. */
export interface PollOptions {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Milliseconds between two checks. */
  intervalMs: number;
  /** What is awaited, for the error: "the queue to empty". */
  what: string;
  /** Adds the current state to the timeout error ("312 of 2000 arrived"). */
  describe?: () => Promise<string> | string;
}

/**
 * Resolves once `check` returns true; throws `Error("Timed out after … waiting for …")`
 * when the deadline passes first.
 *
 * @example
 * ```ts
 * import { pollUntil } from "./_poll.ts";
 * const started = Date.now();
 * await pollUntil(() => Date.now() - started > 30, { timeoutMs: 1000, intervalMs: 5, what: "30 ms" });
 * ```
 */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  options: PollOptions,
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  while (!await check()) {
    if (performance.now() > deadline) {
      const state = options.describe ? ` (${await options.describe()})` : "";
      throw new Error(
        `Timed out after ${
          (options.timeoutMs / 1000).toFixed(0)
        } s waiting for ${options.what}${state}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
