/**
 * Log lines for machines: `TOLLGATE_LOG_FORMAT=json` turns each of Tollgate's
 * log lines into one JSON object with stable fields, read off the line's
 * known shapes (`smtp <peer> queued <id> ...`, `delivery <id> to <rcpt>
 * delivered: <reply>`, ...). The text line stays in `message`, so nothing a
 * line says is lost; a field a line does not carry is `null`. Lines never
 * carry a secret, so neither does the record.
 *
 * @module
 */

/**
 * One log line as a record; every field is always present.
 *
 * @example
 * ```ts
 * import { type LogRecord, logRecord } from "@tollgate/tollgate/server";
 * const record: LogRecord = logRecord("smtp 192.0.2.1:4711 queued 01a24f9768eb6ec3f444", 0);
 * console.log(record.component); // "smtp"
 * ```
 */
export interface LogRecord {
  /** ISO 8601 time. */
  time: string;
  /** `info`, `warn` (a refusal, a failed login, a deferral) or `error`. */
  level: "info" | "warn" | "error";
  /** The line's first word: `smtp`, `delivery`, `admin`, `queue`, `auth`, `tls`, ... */
  component: string;
  /** What happened, in a word or two: `queued`, `delivered`, `auth-failed`, `refused`, ... */
  event: string;
  /** The queue id (20 hex digits) the line is about. */
  queueId: string | null;
  /** The SMTP or admin client's address. */
  clientAddress: string | null;
  /** The authenticated (or attempted) user. */
  user: string | null;
  /** The recipient a delivery line is about. */
  recipient: string | null;
  /** The route pattern a line names. */
  route: string | null;
  /** An SMTP reply the line quotes (`451 4.3.0 try later`). */
  reply: string | null;
  /** The whole text line. */
  message: string;
}

const QUEUE_ID = /\b([0-9a-f]{20})\b/;
const SMTP_PEER = /^smtp (\[[0-9a-f:.]+\]|[0-9.]+):\d+ /i;
const EVENTS: [RegExp, string, LogRecord["level"]][] = [
  [/tollgate: auth failed/, "auth-failed", "warn"],
  [/^admin audit:/, "audit", "info"],
  [/^smtp \S+ queued /, "queued", "info"],
  [/^smtp \S+ auth \S+ ok /, "auth-ok", "info"],
  [/^smtp \S+ auth \S+ temporary failure/, "auth-temporary-failure", "warn"],
  [/^smtp \S+ refused: /, "refused", "warn"],
  [/^smtp \S+ tls failed/, "tls-failed", "warn"],
  [/^smtp \S+ (spool )?error /, "error", "error"],
  [/^delivery \S+ to .* delivered: /, "delivered", "info"],
  [/^delivery \S+ to .* deferred: /, "deferred", "warn"],
  [/^delivery \S+ to .* failed/, "failed", "warn"],
  [/^delivery \S+ bounce /, "bounced", "info"],
  [/^delivery.* (cannot|failed|not written)/, "error", "error"],
  [/^(admin )?queue \S+ (held|released|deleted|retry)/, "queue-control", "info"],
  [/^(admin )?queue (hold|release|retry) /, "queue-control", "info"],
  [/ listening on /, "listening", "info"],
  [/^admin.* failed: /, "error", "error"],
];

/**
 * The record of one text log line written at `time` (ms since epoch).
 *
 * @example
 * ```ts
 * import { logRecord } from "@tollgate/tollgate/server";
 * const record = logRecord("smtp 127.0.0.1:5000 queued 0123456789abcdef0123 size=9 rcpts=1", 0);
 * console.log(record.event, record.queueId, record.clientAddress); // queued 0123456789abcdef0123 127.0.0.1
 * ```
 */
export function logRecord(line: string, time: number): LogRecord {
  const [word] = line.split(/[\s:]/, 1);
  const found = EVENTS.find(([pattern]) => pattern.test(line));
  const fail2ban = /auth failed client=(\S+) user=(\S+)/.exec(line);
  const audit = /^admin audit: \S+ client=(\S+)/.exec(line);
  const peer = SMTP_PEER.exec(line)?.[1].replace(/^\[|\]$/g, "");
  const user = fail2ban?.[2] ?? /\b(?:user|auth)=(\S+)/.exec(line)?.[1];
  const recipient = /^delivery \S+ to (\S+@\S+) (?:delivered|deferred|failed)/.exec(line)?.[1];
  const route = /\broute ([^\s:]+)/.exec(line)?.[1];
  const reply = /(?:: |\s)([2-5]\d\d[ -]\d\.\d{1,3}\.\d{1,3}\b.*)$/.exec(line)?.[1];
  return {
    time: new Date(time).toISOString(),
    level: found?.[2] ?? "info",
    component: fail2ban ? "auth" : word === "" ? "tollgate" : word,
    event: found?.[1] ?? "info",
    queueId: QUEUE_ID.exec(line)?.[1] ?? null,
    clientAddress: fail2ban?.[1] ?? audit?.[1] ?? peer ?? null,
    user: user ?? null,
    recipient: recipient ?? null,
    route: route ?? null,
    reply: reply ?? null,
    message: line,
  };
}

/**
 * One line of JSON for a text log line: {@linkcode logRecord} serialised.
 *
 * @example
 * ```ts
 * import { jsonLogLine } from "@tollgate/tollgate/server";
 * console.log(JSON.parse(jsonLogLine("delivery on: up to 20 outbound connections", 0)).component);
 * // "delivery"
 * ```
 */
export function jsonLogLine(line: string, time: number): string {
  return JSON.stringify(logRecord(line, time));
}
