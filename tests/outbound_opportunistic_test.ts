import { deepEqual } from "node:assert/strict";
import { deliverOverSmtp } from "../runtime/deno/smtp_client.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads CRLF lines from a connection, one at a time. */
class Lines {
  #buffer = "";
  readonly #conn: Deno.Conn;
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }
  async next(): Promise<string> {
    const bytes = new Uint8Array(4096);
    while (!this.#buffer.includes("\r\n")) {
      const count = await this.#conn.read(bytes);
      if (count === null) throw new Error("the client closed the connection");
      this.#buffer += decoder.decode(bytes.subarray(0, count));
    }
    const end = this.#buffer.indexOf("\r\n");
    const line = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 2);
    return line;
  }
}

Deno.test("opportunistic TLS: a failed handshake is retried once in plain text, without STARTTLS", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const transcripts: string[][] = [];
  const peer = (async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const conn = await listener.accept();
      const seen: string[] = [];
      transcripts.push(seen);
      const lines = new Lines(conn);
      const say = (text: string) => conn.write(encoder.encode(text));
      const hear = async () => {
        const line = await lines.next();
        seen.push(line);
        return line;
      };
      await say("220 fake.test ESMTP\r\n");
      await hear();
      await say("250-fake.test\r\n250 STARTTLS\r\n");
      if (attempt === 0) {
        await hear();
        await say("220 go ahead\r\nthis is not a TLS handshake\r\n");
        conn.close();
        continue;
      }
      for (const answer of ["250 ok", "250 ok", "354 go"]) {
        await hear();
        await say(`${answer}\r\n`);
      }
      while (await hear() !== ".");
      await say("250 queued\r\n");
      await hear();
      await say("221 bye\r\n");
      conn.close();
    }
  })();
  const outcomes = await deliverOverSmtp(
    {
      host: "127.0.0.1",
      port: (listener.addr as Deno.NetAddr).port,
      tls: "opportunistic",
      ehloName: "tollgate.test",
    },
    [{
      from: "a@example.net",
      to: ["b@example.org"],
      size: 4,
      body: async function* () {
        yield encoder.encode("hi\r\n");
      },
    }],
  );
  await peer;
  listener.close();
  deepEqual(outcomes, [[{ address: "b@example.org", status: "delivered", reply: "250 queued" }]]);
  deepEqual(transcripts, [
    ["EHLO tollgate.test", "STARTTLS"],
    [
      "EHLO tollgate.test",
      "MAIL FROM:<a@example.net>",
      "RCPT TO:<b@example.org>",
      "DATA",
      "hi",
      ".",
      "QUIT",
    ],
  ]);
});
