/**
 * What the server offers in its EHLO reply, and the checks of the ESMTP
 * parameters it accepts on `MAIL FROM` (SIZE, BODY, AUTH).
 *
 * @module
 */
import { formatReply, replies } from "./replies.ts";

/**
 * What decides the EHLO reply.
 *
 * @example
 * ```ts
 * import type { Capabilities } from "@tollgate/tollgate/smtp";
 * const capabilities: Capabilities = {
 *   hostname: "mail.example.net", authMechanisms: ["PLAIN"], startTls: true,
 *   maxMessageBytes: 10_000_000,
 * };
 * console.log(capabilities.startTls); // true
 * ```
 */
export interface Capabilities {
  /** This server's name: the first line. */
  hostname: string;
  /** The SASL mechanisms offered here; none: no AUTH lines. */
  authMechanisms: readonly string[];
  /** Whether STARTTLS is offered. */
  startTls: boolean;
  /** The SIZE limit. */
  maxMessageBytes: number;
}

/**
 * The EHLO reply, with both AUTH lines as the seed shows them (the `AUTH=`
 * form is for Outlook Express 4 / Exchange 5 era clients).
 *
 * @example
 * ```ts
 * import { ehloReply } from "@tollgate/tollgate/smtp";
 * console.log(ehloReply({
 *   hostname: "mail.domain.de", authMechanisms: ["PLAIN"], startTls: false, maxMessageBytes: 10,
 * }).split("\r\n")[1]); // "250-AUTH PLAIN"
 * ```
 */
export function ehloReply(capabilities: Capabilities): string {
  const lines = [capabilities.hostname];
  const mechanisms = capabilities.authMechanisms.join(" ");
  if (mechanisms !== "") lines.push(`AUTH ${mechanisms}`, `AUTH=${mechanisms}`);
  if (capabilities.startTls) lines.push("STARTTLS");
  lines.push(
    "PIPELINING",
    "8BITMIME",
    `SIZE ${capabilities.maxMessageBytes}`,
    "ENHANCEDSTATUSCODES",
  );
  return formatReply(250, lines);
}

/**
 * Checks the parameters of `MAIL FROM`: the reply refusing them, or
 * undefined if they are fine. `AUTH=` (RFC 4954 §5) is accepted and ignored.
 *
 * @example
 * ```ts
 * import { mailParameterError } from "@tollgate/tollgate/smtp";
 * console.log(mailParameterError(new Map([["SIZE", "99"]]), 10)?.slice(0, 3)); // "552"
 * ```
 */
export function mailParameterError(
  params: ReadonlyMap<string, string>,
  maxMessageBytes: number,
): string | undefined {
  for (const [name, value] of params) {
    if (name === "SIZE") {
      if (!/^\d{1,20}$/.test(value)) return replies.syntax("SIZE=<bytes>");
      if (Number(value) > maxMessageBytes) return replies.tooBig;
    } else if (name === "BODY") {
      if (!/^(7BIT|8BITMIME)$/i.test(value)) return replies.syntax("BODY=7BIT or BODY=8BITMIME");
    } else if (name !== "AUTH") {
      return replies.unknownParameter(name);
    }
  }
  return undefined;
}
