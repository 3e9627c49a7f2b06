/**
 * A minimal SMTP client over a raw loopback socket, for tests that need to control
 * exactly which bytes go out and when: interleaved sessions, pipelined commands, a
 * server killed mid-flight.
 *
 * @module
 */

/** One SMTP reply: its code and every text line (without the `250-` prefix). */
export interface SmtpReply {
  code: number;
  lines: string[];
}

/**
 * One SMTP connection. `reply()` reads the next complete (possibly multi-line) reply;
 * `command()` sends a line and reads its reply.
 *
 * @example
 * ```ts
 * import { RawSmtpClient } from "./_raw_smtp.ts";
 * const client = await RawSmtpClient.connect(2525);
 * console.log((await client.reply()).code); // 220
 * console.log((await client.command("EHLO client.test")).code); // 250
 * client.close();
 * ```
 */
export class RawSmtpClient {
  #conn: Deno.Conn;
  #buffer = "";
  #encoder = new TextEncoder();
  #decoder = new TextDecoder();

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Connects to `127.0.0.1:<port>`. */
  static async connect(port: number): Promise<RawSmtpClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    return new RawSmtpClient(conn);
  }

  /**
   * Runs the client side of a TLS handshake on this connection (after the
   * server's `220` to STARTTLS, or at once for implicit TLS). Text the server
   * sent before is kept; nothing read after the handshake was plaintext.
   */
  async startTls(options: Deno.StartTlsOptions): Promise<void> {
    this.#conn = await Deno.startTls(this.#conn as Deno.TcpConn, options);
  }

  /** Sends raw text as it is (add `\r\n` yourself). */
  async write(text: string): Promise<void> {
    const bytes = this.#encoder.encode(text);
    for (let written = 0; written < bytes.length;) {
      written += await this.#conn.write(bytes.subarray(written));
    }
  }

  /** Reads the next reply; throws if the server closes the connection first. */
  async reply(): Promise<SmtpReply> {
    const lines: string[] = [];
    while (true) {
      const line = await this.#line();
      const match = /^(\d{3})([ -])(.*)$/.exec(line);
      if (!match) throw new SyntaxError(`Cannot parse SMTP reply line: ${JSON.stringify(line)}`);
      lines.push(match[3]);
      if (match[2] === " ") return { code: Number(match[1]), lines };
    }
  }

  /** Sends one command line and reads its reply. */
  async command(line: string): Promise<SmtpReply> {
    await this.write(`${line}\r\n`);
    return await this.reply();
  }

  /** Closes the connection; safe to call twice. */
  close(): void {
    try {
      this.#conn.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }

  async #line(): Promise<string> {
    while (true) {
      const end = this.#buffer.indexOf("\r\n");
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return line;
      }
      const chunk = new Uint8Array(16384);
      const count = await this.#conn.read(chunk);
      if (count === null) {
        throw new Deno.errors.UnexpectedEof(
          `Connection closed by the server; unread: ${JSON.stringify(this.#buffer)}`,
        );
      }
      this.#buffer += this.#decoder.decode(chunk.subarray(0, count), { stream: true });
    }
  }
}

/**
 * Sends one message in an open session (after EHLO) and returns the reply to the final
 * dot, or the first reply that refused the transaction.
 *
 * @example
 * ```ts
 * import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
 * const client = await RawSmtpClient.connect(2525);
 * await client.reply();
 * await client.command("EHLO client.test");
 * const reply = await sendMessage(client, {
 *   from: "a@example.net", to: ["test@domain.de"], body: "Subject: hi\r\n\r\nhello\r\n",
 * });
 * console.log(reply.code); // 250
 * client.close();
 * ```
 */
export async function sendMessage(
  client: RawSmtpClient,
  message: { from: string; to: string[]; body: string },
): Promise<SmtpReply> {
  const mail = await client.command(`MAIL FROM:<${message.from}>`);
  if (mail.code !== 250) return mail;
  for (const recipient of message.to) {
    const rcpt = await client.command(`RCPT TO:<${recipient}>`);
    if (rcpt.code !== 250) return rcpt;
  }
  const data = await client.command("DATA");
  if (data.code !== 354) return data;
  const stuffed = message.body.replace(/^\./gm, "..");
  await client.write(`${stuffed}${stuffed.endsWith("\r\n") ? "" : "\r\n"}.\r\n`);
  return await client.reply();
}
