/**
 * Logs in over a raw SMTP connection with LOGIN, PLAIN or CRAM-MD5 and then
 * asks to relay, for the credential-backend integration tests.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import { RawSmtpClient } from "./_raw_smtp.ts";

/** What the server said. */
export interface AuthAttempt {
  /** The mechanisms EHLO offered. */
  offered: string[];
  /** The final reply code to AUTH (235, 535, 454, ...). */
  auth: number;
  /** The reply code to `RCPT TO:<someone@example.net>` afterwards (250 = relaying). */
  relay: number;
}

const encoder = new TextEncoder();
const b64 = (text: string) => encoder.encode(text).toBase64();

/**
 * Connects to `127.0.0.1:port`, says EHLO, authenticates, then tries
 * `MAIL FROM` (the user's own address once authenticated) and `RCPT TO` a
 * foreign domain, and quits.
 *
 * @example
 * ```ts ignore
 * const attempt = await authenticate(2525, { mechanism: "LOGIN", user: "a", password: "b" });
 * console.log(attempt.auth); // 535
 * ```
 */
export async function authenticate(
  port: number,
  login: { mechanism: "LOGIN" | "PLAIN" | "CRAM-MD5"; user: string; password: string },
): Promise<AuthAttempt> {
  const client = await RawSmtpClient.connect(port);
  try {
    await client.reply();
    const ehlo = await client.command("EHLO client.test");
    const offered = ehlo.lines.find((line) => line.startsWith("AUTH "))?.split(" ").slice(1) ?? [];
    let reply;
    if (login.mechanism === "PLAIN") {
      reply = await client.command(`AUTH PLAIN ${b64(`\0${login.user}\0${login.password}`)}`);
    } else if (login.mechanism === "LOGIN") {
      await client.command("AUTH LOGIN");
      await client.command(b64(login.user));
      reply = await client.command(b64(login.password));
    } else {
      const challenge = await client.command("AUTH CRAM-MD5");
      const text = new TextDecoder().decode(Uint8Array.fromBase64(challenge.lines[0]));
      const digest = hmac(md5, encoder.encode(login.password), encoder.encode(text)).toHex();
      reply = await client.command(b64(`${login.user} ${digest}`));
    }
    // An authenticated client sends as itself (Tollgate may check that it owns the sender).
    const sender = reply.code === 235 ? login.user : "sender@example.org";
    await client.command(`MAIL FROM:<${sender}>`);
    const relay = await client.command("RCPT TO:<someone@example.net>");
    await client.command("QUIT");
    return { offered, auth: reply.code, relay: relay.code };
  } finally {
    client.close();
  }
}
