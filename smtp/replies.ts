/**
 * Every reply the server session sends, in one place.
 *
 * Each reply carries the RFC 3463 enhanced status code right after the
 * basic code (RFC 2034, since EHLO advertises ENHANCEDSTATUSCODES). Where
 * qmail, the qmail-smtpd-auth patch or the seed shows a text, the text is
 * kept verbatim after that code, `(#x.y.z)` suffix included, so an operator
 * migrating from qmail finds the lines they know in their logs:
 * `235 2.0.0 ok, go ahead (#2.0.0)`.
 *
 * @module
 */

/**
 * Formats one reply: a single line, or a multi-line reply (`250-...` lines
 * and a final `250 ...`), each ending in CRLF.
 *
 * @example
 * ```ts
 * import { formatReply } from "@tollgate/tollgate/smtp";
 * console.log(JSON.stringify(formatReply(250, ["mail.domain.de", "PIPELINING"])));
 * // "250-mail.domain.de\r\n250 PIPELINING\r\n"
 * ```
 */
export function formatReply(code: number, lines: string | readonly string[]): string {
  const list = typeof lines === "string" ? [lines] : lines;
  let text = "";
  for (let i = 0; i < list.length; i++) {
    text += `${code}${i === list.length - 1 ? " " : "-"}${list[i]}\r\n`;
  }
  return text;
}

/**
 * The fixed replies, by what they mean; those that need a value are
 * functions. Internal to the session: `replies.authOk` is
 * `"235 2.0.0 ok, go ahead (#2.0.0)\r\n"`.
 */
export const replies = {
  greeting: (host: string): string => formatReply(220, `${host} ESMTP`),
  helo: (host: string): string => formatReply(250, host),
  quit: (host: string): string => formatReply(221, `2.0.0 ${host}`),
  ok: formatReply(250, "2.0.0 ok"),
  senderOk: formatReply(250, "2.1.0 ok"),
  recipientOk: formatReply(250, "2.1.5 ok"),
  flushed: formatReply(250, "2.0.0 flushed"),
  goAhead: formatReply(354, "go ahead"),
  queued: (unixTime: number, id: string): string =>
    formatReply(250, `2.0.0 ok ${unixTime} qp ${id}`),
  vrfy: formatReply(252, "2.5.2 send some mail, i'll try my best"),
  help: formatReply(214, "2.0.0 see RFC 5321; this is Tollgate"),

  unimplemented: formatReply(502, "5.5.1 unimplemented (#5.5.1)"),
  lineTooLong: formatReply(500, "5.5.2 line too long"),
  heloFirst: formatReply(503, "5.5.1 send HELO or EHLO first"),
  ehloFirst: formatReply(503, "5.5.1 send EHLO first"),
  mailFirst: formatReply(503, "5.5.1 MAIL first (#5.5.1)"),
  rcptFirst: formatReply(503, "5.5.1 RCPT first (#5.5.1)"),
  nestedMail: formatReply(503, "5.5.1 nested MAIL command"),
  syntax: (usage: string): string => formatReply(501, `5.5.4 syntax error, use: ${usage}`),
  noArguments: (verb: string): string => formatReply(501, `5.5.4 ${verb} takes no arguments`),
  badSender: (why: string): string => formatReply(501, `5.1.7 bad sender address: ${why}`),
  badRecipient: (why: string): string => formatReply(501, `5.1.3 bad recipient address: ${why}`),
  unknownParameter: (name: string): string =>
    formatReply(555, `5.5.4 unsupported parameter ${name} (#5.5.4)`),
  tooManyRecipients: formatReply(452, "4.5.3 too many recipients"),

  authOk: formatReply(235, "2.0.0 ok, go ahead (#2.0.0)"),
  authFailed: formatReply(535, "5.7.8 authorization failed (#5.7.0)"),
  authCancelled: formatReply(501, "5.0.0 auth exchange cancelled (#5.0.0)"),
  authMalformed: formatReply(501, "5.5.4 malformed auth input (#5.5.4)"),
  authUnknownMechanism: formatReply(504, "5.5.4 auth type unimplemented (#5.5.1)"),
  authAgain: formatReply(503, "5.5.1 you're already authenticated (#5.5.0)"),
  authInTransaction: formatReply(503, "5.5.1 no auth during mail transaction (#5.5.0)"),
  authTemporary: formatReply(454, "4.7.0 temporary authentication failure (#4.3.0)"),
  lockedOut: formatReply(421, "4.7.0 too many failed logins, try again later"),
  senderNotOwned: (user: string): string =>
    formatReply(553, `5.7.1 sender address not owned by user ${user}`),
  senderTemporary: formatReply(451, "4.3.0 cannot check the sender now, try again later"),
  encryptionRequired: formatReply(
    538,
    "5.7.11 Encryption required for requested authentication mechanism",
  ),
  authRequired: formatReply(530, "5.7.0 Authentication required"),
  tlsReady: formatReply(220, "2.0.0 Ready to start TLS"),
  tlsActive: formatReply(503, "5.5.1 TLS already active"),
  tlsUnavailable: formatReply(454, "4.7.0 TLS not available"),
  challenge: (base64: string) => formatReply(334, base64),

  relayDenied: formatReply(
    553,
    "5.7.1 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
  ),
  unknownUser: formatReply(550, "5.1.1 sorry, no mailbox here by that name (#5.1.1)"),
  recipientTemporary: formatReply(451, "4.3.0 cannot check the recipient now, try again later"),

  tooBig: formatReply(552, "5.3.4 sorry, that message size exceeds my databytes limit (#5.3.4)"),
  bodyLineTooLong: formatReply(554, "5.6.0 message has a line over 998 characters (RFC 5322)"),
  tooManyHops: formatReply(554, "5.4.6 too many hops, this message is looping (#5.4.6)"),
  bareNewline: formatReply(
    451,
    "4.5.0 bare LF or CR in message, lines must end with CRLF; see https://cr.yp.to/docs/smtplf.html",
  ),
  notStored: formatReply(451, "4.3.0 message not stored, try again later"),
  storageFull: formatReply(452, "4.3.1 insufficient system storage, try again later"),
  timeout: formatReply(421, "4.4.2 timeout (#4.4.2)"),
  tooManyErrors: formatReply(421, "4.7.0 too many errors, closing connection"),
  tooManyCommands: formatReply(421, "4.7.0 too many commands that do nothing, closing connection"),
  httpRequest: formatReply(554, "5.7.0 this is an SMTP server, not a web server; closing"),
  badCharacters: formatReply(500, "5.5.2 command contains control or non-ASCII characters"),
} as const;
