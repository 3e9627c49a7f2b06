/**
 * Failed-token throttling for `/api`: after too many `401`s from one client,
 * it gets `429` with `Retry-After` and its token is not even checked.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { clientGroup } from "../auth/client_group.ts";
import { FailureWindow } from "../auth/failure_window.ts";

/**
 * This many failed token checks from one client (IPv6: one /64) within the window block it.
 *
 * @example
 * ```ts
 * import { MAX_TOKEN_FAILURES, TOKEN_FAILURE_WINDOW_MS } from "@tollgate/tollgate/admin";
 * console.log(`${MAX_TOKEN_FAILURES} bad tokens in ${TOKEN_FAILURE_WINDOW_MS / 60_000} min block`);
 * // "10 bad tokens in 5 min block"
 * ```
 */
export const MAX_TOKEN_FAILURES = 10;
/**
 * The window of {@linkcode MAX_TOKEN_FAILURES} (ms).
 *
 * @example
 * ```ts
 * import { TOKEN_FAILURE_WINDOW_MS } from "@tollgate/tollgate/admin";
 * const blockedUntil = (lastFailure: number) => lastFailure + TOKEN_FAILURE_WINDOW_MS;
 * console.log(blockedUntil(0)); // 300000 (5 min)
 * ```
 */
export const TOKEN_FAILURE_WINDOW_MS = 5 * 60_000;
/** The most clients tracked; the least recently failing is forgotten first. */
const MAX_TRACKED_CLIENTS = 10_000;

/** What the throttle needs: the client's address and the time. */
export interface TokenThrottleDeps {
  /** The client's address for a request. */
  clientAddress: (c: Context) => string;
  /** The current time (ms since epoch). */
  now: () => number;
}

/**
 * Builds the middleware; put it before the token check. A blocked client is
 * answered `429` until enough of its failures have left the window, whatever
 * token it sends, so guessing gains nothing while blocked; `Retry-After`
 * says when (whole seconds, rounded up).
 */
export function throttleFailedTokens(deps: TokenThrottleDeps): MiddlewareHandler {
  const failures = new FailureWindow({
    windowMs: TOKEN_FAILURE_WINDOW_MS,
    maxCount: MAX_TOKEN_FAILURES,
    maxKeys: MAX_TRACKED_CLIENTS,
  });
  return async (c, next) => {
    const client = clientGroup(deps.clientAddress(c));
    const blockedUntil = failures.belowAgainAt(client, MAX_TOKEN_FAILURES, deps.now());
    if (blockedUntil !== undefined) {
      const seconds = Math.max(1, Math.ceil((blockedUntil - deps.now()) / 1000));
      c.header("retry-after", String(seconds));
      return c.json({ error: `Too many failed token checks: retry in ${seconds} s` }, 429);
    }
    await next();
    if (c.res.status === 401) failures.add(client, deps.now());
  };
}
