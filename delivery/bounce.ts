/**
 * Bounces: RFC 3464 delivery status notifications to the sender of a message
 * that could not be delivered to some recipients. Never to the null sender
 * (`MAIL FROM:<>`): a bounce of a bounce would loop (RFC 5321 §4.5.5).
 *
 * The DSN is `multipart/report; report-type=delivery-status` (RFC 6522) with
 * a human part in qmail's words, a `message/delivery-status` part with one
 * block per failed recipient, and the original headers as
 * `text/rfc822-headers`. Pure: the time and the boundary are passed in.
 *
 * @module
 */
import type { QueuedMessage } from "../store/types.ts";
import type { FailedRecipient } from "./delivery_state.ts";

/**
 * What a bounce is built from.
 *
 * @example
 * ```ts
 * import { type BounceRequest, buildBounce } from "@tollgate/tollgate/delivery";
 * const request: BounceRequest = {
 *   message: { id: "01a2253631000000000a", from: "test@domain.de", receivedAt: 0 },
 *   failed: [{ address: "nobody@example.net", reply: "550 5.1.1 no such user", expired: false }],
 *   originalHeaders: "Subject: hello\r\n", reportingMta: "mail.domain.de", now: 60_000,
 *   boundary: "b0undary",
 * };
 * console.log(buildBounce(request).kind); // "bounce"
 * ```
 */
export interface BounceRequest {
  /** The message that failed. */
  message: Pick<QueuedMessage, "id" | "from" | "receivedAt">;
  /** The recipients that failed for good (at least one). */
  failed: readonly FailedRecipient[];
  /** The original message's header block (up to the empty line), CRLF line ends. */
  originalHeaders: string;
  /** This server's host name: `Reporting-MTA` and the `From:` domain. */
  reportingMta: string;
  /** The time of the bounce (ms since epoch). */
  now: number;
  /** A random MIME boundary (letters and digits; also makes the Message-ID unique). */
  boundary: string;
}

/**
 * The bounce to queue, or why there is none.
 *
 * @example
 * ```ts
 * import { type Bounce, buildBounce } from "@tollgate/tollgate/delivery";
 * const bounce: Bounce = buildBounce({
 *   message: { id: "01a2253631000000000a", from: "", receivedAt: 0 }, // a bounce itself
 *   failed: [{ address: "nobody@example.net", reply: "550 5.1.1 no such user", expired: false }],
 *   originalHeaders: "", reportingMta: "mail.domain.de", now: 0, boundary: "b0undary",
 * });
 * console.log(bounce); // { kind: "none", reason: "null-sender" }
 * ```
 */
export type Bounce =
  | { kind: "bounce"; from: ""; to: [string]; body: string }
  | { kind: "none"; reason: "null-sender" };

const MAX_DIAGNOSTIC = 900;
const ENHANCED = /^[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/;
const BASIC = /^([245])\d\d(?:[ -]|$)/;

/**
 * Builds the DSN for the failed recipients of a message, to its sender, from
 * the null sender. The body has CRLF line ends and no line over 998 octets.
 *
 * @throws {RangeError} If `failed` is empty or the boundary is not 1-60 letters and digits.
 *
 * @example
 * ```ts
 * import { buildBounce } from "./bounce.ts";
 * const bounce = buildBounce({
 *   message: { id: "01a2253631000000000a", from: "test@domain.de", receivedAt: 0 },
 *   failed: [{ address: "nobody@example.net", reply: "550 5.1.1 no such user", expired: false }],
 *   originalHeaders: "Subject: hello\r\n",
 *   reportingMta: "mail.domain.de",
 *   now: 60_000,
 *   boundary: "b0undary",
 * });
 * console.log(bounce.kind === "bounce" && bounce.body.includes("Status: 5.1.1")); // true
 * ```
 */
export function buildBounce(request: BounceRequest): Bounce {
  if (request.message.from === "") return { kind: "none", reason: "null-sender" };
  if (request.failed.length === 0) {
    throw new RangeError("Cannot build bounce: no failed recipients");
  }
  if (!/^[A-Za-z0-9]{1,60}$/.test(request.boundary)) {
    throw new RangeError("Cannot build bounce: the boundary must be 1-60 letters and digits");
  }
  const { message, reportingMta, boundary } = request;
  const sender = oneLine(message.from);
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${reportingMta}>`,
    `To: <${sender}>`,
    "Subject: failure notice",
    `Date: ${rfc5322Date(request.now)}`,
    `Message-ID: <${boundary}.${message.id}@${reportingMta}>`,
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    "",
    "This is a MIME-encapsulated delivery status notification (RFC 3464).",
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    ...humanPart(request),
    `--${boundary}`,
    "Content-Type: message/delivery-status",
    "",
    `Reporting-MTA: dns; ${reportingMta}`,
    `X-Tollgate-Queue-ID: ${message.id}`,
    `Arrival-Date: ${rfc5322Date(message.receivedAt)}`,
    ...request.failed.flatMap((failure) => ["", ...recipientFields(failure, request.now)]),
    "",
    `--${boundary}`,
    "Content-Type: text/rfc822-headers",
    "",
  ];
  const headers = request.originalHeaders.replace(/(?:\r\n)+$/, "");
  const body = `${lines.join("\r\n")}\r\n${headers === "" ? "" : `${headers}\r\n`}` +
    `\r\n--${boundary}--\r\n`;
  return { kind: "bounce", from: "", to: [message.from], body };
}

function humanPart(request: BounceRequest): string[] {
  const expired = request.failed.some((failure) => failure.expired);
  return [
    `Hi. This is the Tollgate mail server at ${request.reportingMta}.`,
    "I'm afraid I wasn't able to deliver your message to the following addresses.",
    expired
      ? "I've been trying for too long; I've given up. Sorry it didn't work out."
      : "This is a permanent error; I've given up. Sorry it didn't work out.",
    "",
    ...request.failed.flatMap((failure) => [
      `<${oneLine(failure.address)}>:`,
      truncate(oneLine(failure.reply)),
      "",
    ]),
  ];
}

function recipientFields(failure: FailedRecipient, now: number): string[] {
  const reply = truncate(oneLine(failure.reply));
  const address = oneLine(failure.address);
  const addressType = /^[\x20-\x7e]*$/.test(address) ? "rfc822" : "utf-8";
  const fields = [
    `Final-Recipient: ${addressType}; ${address}`,
    "Action: failed",
    `Status: ${statusOf(failure)}`,
  ];
  if (failure.remoteMta !== undefined) {
    fields.push(`Remote-MTA: dns; ${oneLine(failure.remoteMta)}`);
  }
  fields.push(`Diagnostic-Code: ${BASIC.test(reply) ? "smtp" : "X-Tollgate"}; ${reply}`);
  fields.push(`Last-Attempt-Date: ${rfc5322Date(now)}`);
  return fields;
}

/** The RFC 3463 status: the reply's enhanced code, else one from its class. */
function statusOf(failure: FailedRecipient): string {
  const enhanced = ENHANCED.exec(failure.reply);
  if (enhanced) return enhanced[1];
  const basic = BASIC.exec(failure.reply);
  if (basic?.[1] === "5") return "5.0.0";
  // A temporary failure that outlived the queue: "delivery time expired".
  return failure.expired ? "4.4.7" : "5.0.0";
}

/** Joins a multi-line reply and keeps printable characters only. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/[^\x20-\x7e\u0080-\uffff]/g, "?").trim();
}

function truncate(text: string): string {
  return text.length <= MAX_DIAGNOSTIC ? text : `${text.slice(0, MAX_DIAGNOSTIC)}...`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Tue, 2 Aug 2002 15:16:26 +0000` (RFC 5322 §3.3, in UTC). */
function rfc5322Date(time: number): string {
  const date = new Date(time);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ` +
    `${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:` +
    `${pad(date.getUTCSeconds())} +0000`;
}

/**
 * Reads the header block of a stored message: everything before the first
 * empty line, at most `limit` characters (cut at a line end), decoded as
 * UTF-8 with CRLF line ends kept. Stops reading once it has the block.
 *
 * @example
 * ```ts
 * import { readHeaderBlock } from "./bounce.ts";
 * async function* body() {
 *   yield new TextEncoder().encode("Subject: hi\r\nTo: b@exa");
 *   yield new TextEncoder().encode("mple.net\r\n\r\nhello\r\n");
 * }
 * console.log(JSON.stringify(await readHeaderBlock(body(), 65536)));
 * // "Subject: hi\r\nTo: b@example.net\r\n"
 * ```
 */
export async function readHeaderBlock(
  body: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true });
    const end = text.startsWith("\r\n") ? 0 : text.indexOf("\r\n\r\n");
    if (end >= 0) return cutAtLineEnd(text.slice(0, end === 0 ? 0 : end + 2), limit);
    if (text.length > limit) break;
  }
  return cutAtLineEnd(text + decoder.decode(), limit);
}

/** The longest prefix of `text`, at most `limit` long, that ends with CRLF (or is empty). */
function cutAtLineEnd(text: string, limit: number): string {
  const cut = text.slice(0, limit);
  if (cut.endsWith("\r\n")) return cut;
  const lastLineEnd = cut.lastIndexOf("\r\n");
  return lastLineEnd < 0 ? "" : cut.slice(0, lastLineEnd + 2);
}
