/**
 * The floor under any Deno SMTP server's memory and CPU per connection: a bare TCP server
 * on 127.0.0.1 (kernel-chosen port) that greets with `220` and answers every line with
 * `250`, except just enough SMTP for `smtp-source`: `354` to `DATA`, then silence until the
 * lone `.` (`250`), and `221` to `QUIT`. It reads either through `conn.readable` or with
 * `conn.read` into its own 4 KiB buffer. Prints `deno floor listening on 127.0.0.1:<port>`
 * once ready.
 *
 * Usage: `deno run -A bench/deno_floor_peer.ts readable|read-4k`
 *
 * @module
 */

const mode = Deno.args[0];
if (mode !== "readable" && mode !== "read-4k") {
  throw new TypeError(`Cannot start the floor peer: unknown mode ${JSON.stringify(mode)}`);
}
const GREETING = new TextEncoder().encode("220 floor.test ESMTP\r\n");
const OK = new TextEncoder().encode("250 ok\r\n");
const GO_AHEAD = new TextEncoder().encode("354 go ahead\r\n");
const BYE = new TextEncoder().encode("221 bye\r\n");
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
/** Enough of a line's start to tell `DATA`, `QUIT` and `.` from the rest. */
const KEPT = 5;

async function answerLines(conn: Deno.Conn, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  await conn.write(GREETING);
  let start = "";
  let inData = false;
  for await (const chunk of chunks) {
    for (const byte of chunk) {
      if (byte !== NEWLINE) {
        if (start.length < KEPT && byte !== CARRIAGE_RETURN) start += String.fromCharCode(byte);
        continue;
      }
      const line = start.toUpperCase();
      start = "";
      if (inData) {
        if (line !== ".") continue;
        inData = false;
        await conn.write(OK);
      } else if (line === "DATA") {
        inData = true;
        await conn.write(GO_AHEAD);
      } else if (line === "QUIT") {
        await conn.write(BYE);
        return;
      } else {
        await conn.write(OK);
      }
    }
  }
}

async function* readInto4k(conn: Deno.Conn): AsyncIterable<Uint8Array> {
  const buffer = new Uint8Array(4096);
  for (let count = await conn.read(buffer); count !== null; count = await conn.read(buffer)) {
    yield buffer.subarray(0, count);
  }
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`deno floor listening on 127.0.0.1:${listener.addr.port}`);
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
for await (const conn of listener) {
  const chunks = mode === "readable" ? conn.readable : readInto4k(conn);
  // A client that goes away mid-line is no error here: the bench closes 1,000 at once.
  answerLines(conn, chunks).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  });
}
