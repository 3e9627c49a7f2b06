/**
 * The `Received:` header, in qmail's form (qmail 1.03 `received.c`, with the
 * SMTP AUTH patch's user name before the client address, as the seed shows),
 * and the RFC 3848 protocol word.
 *
 * @module
 */

/**
 * What the header says about the client and the session.
 *
 * @example
 * ```ts
 * import type { ReceivedFields } from "@tollgate/tollgate/smtp";
 * const fields: ReceivedFields = {
 *   helo: "client.example", clientAddress: "192.0.2.1", hostname: "mail.example.net",
 *   protocol: "ESMTPS", time: Date.UTC(2024, 0, 1),
 *   tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" },
 * };
 * console.log(fields.protocol); // "ESMTPS"
 * ```
 */
export interface ReceivedFields {
  /** The client's host name from reverse DNS; `unknown` when not looked up. */
  clientHostname?: string;
  /** The name the client gave in HELO/EHLO. */
  helo: string;
  /** The client's IP address. */
  clientAddress: string;
  /** The authenticated user, if any. */
  authUser?: string;
  /** The TLS the message came through, if any (Postfix's `(using ... with cipher ...)`). */
  tls?: { protocol: string; cipher: string };
  /** This server's host name. */
  hostname: string;
  /** `SMTP`, `ESMTP`, `ESMTPA`, ... from {@linkcode protocolWord}. */
  protocol: string;
  /** The time of receipt, ms since epoch. */
  time: number;
}

/**
 * The RFC 3848 `with` word: `SMTP` after HELO, `ESMTP` after EHLO, with `S`
 * for TLS and `A` for an authenticated client.
 *
 * @example
 * ```ts
 * import { protocolWord } from "@tollgate/tollgate/smtp";
 * console.log(protocolWord({ esmtp: true, tls: false, authenticated: true })); // "ESMTPA"
 * ```
 */
export function protocolWord(
  session: { esmtp: boolean; tls: boolean; authenticated: boolean },
): string {
  if (!session.esmtp) return "SMTP";
  return `ESMTP${session.tls ? "S" : ""}${session.authenticated ? "A" : ""}`;
}

/**
 * Builds the header, folded as qmail folds it, ending in CRLF.
 *
 * @example
 * ```ts
 * import { receivedHeader } from "@tollgate/tollgate/smtp";
 * console.log(receivedHeader({
 *   helo: "hostname", clientAddress: "192.168.10.10", authUser: "test@domain.de",
 *   hostname: "mail.domain.de", protocol: "ESMTPA", time: Date.UTC(2002, 7, 2, 15, 16, 26),
 * }));
 * // Received: from unknown (HELO hostname) (test@domain.de@192.168.10.10)
 * //   by mail.domain.de with ESMTPA; 2 Aug 2002 15:16:26 -0000
 * ```
 */
export function receivedHeader(fields: ReceivedFields): string {
  const remoteHost = safe(fields.clientHostname ?? "unknown");
  const helo = safe(fields.helo);
  const heloPart = helo === remoteHost ? "" : ` (HELO ${helo})`;
  const user = fields.authUser === undefined ? "" : `${safe(fields.authUser)}@`;
  const tls = fields.tls
    ? `  (using ${safe(fields.tls.protocol)} with cipher ${safe(fields.tls.cipher)})\r\n`
    : "";
  return `Received: from ${remoteHost}${heloPart} (${user}${safe(fields.clientAddress)})\r\n` +
    tls +
    `  by ${safe(fields.hostname)} with ${fields.protocol}; ${qmailDate(fields.time)}\r\n`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** qmail's date: `2 Aug 2002 15:16:26 -0000` (RFC 5322, always UTC). */
function qmailDate(time: number): string {
  const date = new Date(time);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} -0000`;
}

/** As qmail's `safeput`: anything but a plain host/address character becomes `?`. */
function safe(text: string): string {
  return text.slice(0, 255).replace(/[^A-Za-z0-9.\-_:@+=[\]]/g, "?");
}
