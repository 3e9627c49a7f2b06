/**
 * The audit trail of `/api`: one entry per request that tried to change
 * something, after the token check, with its outcome.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import type { AuditEntry } from "./deps.ts";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** What the audit middleware needs. */
export interface AuditDeps {
  /** Receives each entry. */
  audit: (entry: AuditEntry) => void;
  /** The client's address for a request. */
  clientAddress: (c: Context) => string;
  /** The current time (ms since epoch). */
  now: () => number;
}

/**
 * Builds the middleware; put it after the token check, so only token holders
 * are audited (failed token checks are the throttle's business). The path
 * is the one sent, percent-encoding kept, so an entry is always one line;
 * bodies are never read, so no password reaches the audit.
 */
export function auditChanges(deps: AuditDeps): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (READ_METHODS.has(c.req.method)) return;
    deps.audit({
      time: deps.now(),
      actor: "admin-token",
      clientAddress: deps.clientAddress(c),
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
    });
  };
}
