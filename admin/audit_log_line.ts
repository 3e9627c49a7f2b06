/**
 * One log line per audit entry of the admin API.
 *
 * @module
 */

import type { AuditEntry } from "./deps.ts";

/**
 * Formats an entry as one log line, for deployments that send the audit to
 * the ordinary log.
 *
 * @example
 * ```ts
 * import { auditLogLine } from "@tollgate/tollgate/admin";
 * console.log(auditLogLine({
 *   time: 0, actor: "admin-token", clientAddress: "192.0.2.1",
 *   method: "PUT", path: "/api/domains/example.net", status: 201,
 * }));
 * // admin audit: 1970-01-01T00:00:00.000Z client=192.0.2.1 actor=admin-token PUT /api/domains/example.net -> 201
 * ```
 */
export function auditLogLine(entry: AuditEntry): string {
  return `admin audit: ${new Date(entry.time).toISOString()} client=${entry.clientAddress}` +
    ` actor=${entry.actor} ${entry.method} ${entry.path} -> ${entry.status}`;
}
