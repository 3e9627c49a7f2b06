import { deepEqual, equal } from "node:assert/strict";
import type { ByteStream } from "../runtime/deno/byte_stream.ts";
import { dialogueServer } from "./_dialogue.ts";

/**
 * Reads like `tcpByteStream` at its worst: every read lands in one shared
 * buffer, in odd small pieces, and the buffer is scribbled over before each
 * read. A session that kept a view of earlier bytes would see the scribbles.
 */
function reusingStream(inner: ByteStream): ByteStream {
  const shared = new Uint8Array(48);
  const sizes = [1, 7, 2, 13, 5, 48, 3, 11, 17, 4];
  let pending = new Uint8Array(0);
  let reads = 0;
  return {
    async read() {
      shared.fill(0x58); // "X"
      while (pending.length === 0) {
        const next = await inner.read();
        if (next === null) return null;
        pending = next.slice();
      }
      const size = Math.min(sizes[reads++ % sizes.length], pending.length);
      shared.set(pending.subarray(0, size));
      pending = pending.subarray(size);
      return shared.subarray(0, size);
    },
    write: (bytes) => inner.write(bytes),
    close: () => inner.close(),
  };
}

const FIRST_BODY = "Subject: one\r\n\r\n..a line that starts with a dot\r\n" +
  `${"long line ".repeat(20)}\r\n.\r\n`;
const SECOND_BODY = "Subject: two\r\n\r\nthe second message, pipelined after the first\r\n.\r\n";

Deno.test("the session keeps nothing of a read buffer that is read into again", async () => {
  const server = await dialogueServer();
  const client = server.connect({}, reusingStream);
  const transaction = "MAIL FROM:<friend@example.net>\r\nRCPT TO:<test@domain.de>\r\nDATA\r\n";
  await client.send(
    `EHLO client.example.net\r\n${transaction}${FIRST_BODY}${transaction}${SECOND_BODY}QUIT\r\n`,
  );
  const codes: string[] = [];
  for (let line = await client.readLine(); line !== undefined; line = await client.readLine()) {
    if (line[3] !== "-") codes.push(line.slice(0, 3));
  }
  await client.finished;
  deepEqual(codes, ["220", "250", "250", "250", "354", "250", "250", "250", "354", "250", "221"]);

  const messages = (await server.stores.queue.list({ limit: 10 })).items;
  equal(messages.length, 2);
  const bodies: string[] = [];
  for (const message of messages) {
    let body = "";
    for await (const chunk of server.stores.queue.readBody(message.id)) {
      body += new TextDecoder().decode(chunk);
    }
    bodies.push(body.slice(body.indexOf("Subject")));
  }
  const unstuffed = (body: string) => body.replace("\r\n..", "\r\n.").slice(0, -3);
  deepEqual(bodies, [unstuffed(FIRST_BODY), unstuffed(SECOND_BODY)]);
});
