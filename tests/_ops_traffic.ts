/**
 * What the operator tests share: polling for an outcome, and submitting one message
 * into a running Tollgate with AUTH PLAIN.
 *
 * @module
 */
import nodemailer from "nodemailer";
import type { RunningTollgate } from "./_server.ts";

/** Polls `check` every 100 ms until it returns a value, for at most 30 s. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/**
 * Sends one message as `sender` (AUTH PLAIN, no TLS): a short text, or `raw` exactly as
 * written; resolves with its queue id.
 */
export async function submitMessage(
  tollgate: RunningTollgate,
  sender: { address: string; password: string },
  to: string,
  raw?: string,
): Promise<string> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: tollgate.smtpPort,
    ignoreTLS: true,
    auth: { user: sender.address, pass: sender.password, method: "PLAIN" },
  });
  try {
    const info = await transport.sendMail(
      raw === undefined
        ? { from: sender.address, to, text: "Hello.\n" }
        : { envelope: { from: sender.address, to }, raw },
    );
    return /qp ([0-9a-f]{20})/.exec(info.response)![1];
  } finally {
    transport.close();
  }
}
