/**
 * Dialogue tests in the style of chasquid and the seed's telnet session:
 * a script of client lines (`C: `) and the server lines expected back
 * (`S: ` exact, `S~ ` prefix), played through the real session and the real
 * connection driver over in-memory streams, with memory stores.
 *
 * @module
 */
import { equal, ok } from "node:assert/strict";
import type { CredentialVerifier } from "../auth/credentials.ts";
import { LoginLimiter } from "../auth/login_limiter.ts";
import { UserStoreVerifier } from "../auth/store_verifier.ts";
import { createUserSecrets } from "../auth/user_secrets.ts";
import { ServerSession } from "../smtp/server_session.ts";
import type { ServerSessionOptions } from "../smtp/server_types.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import type { Stores } from "../store/types.ts";
import { ClientCheckQueue } from "../server/client_check_queue.ts";
import { type ByteStream, webByteStream } from "../runtime/deno/byte_stream.ts";
import { ReadDeadlines } from "../server/read_deadlines.ts";
import { serveConnection } from "../server/smtp_connection.ts";
import { createFastKdf } from "./_auth_fast_kdf.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One scripted client connection. */
export interface Dialogue {
  /** Plays a script; throws on the first server line that differs. */
  play(script: string): Promise<void>;
  /** Sends raw bytes (for hostile input). */
  send(bytes: string | Uint8Array): Promise<void>;
  /** Reads the next server line (without CRLF), or undefined at end of stream. */
  readLine(): Promise<string | undefined>;
  /** Resolves when the server side has finished with the connection. */
  finished: Promise<void>;
  /** Closes the client side. */
  close(): Promise<void>;
}

/** A server with memory stores and the seed's user `test@domain.de` / `testing`. */
export interface DialogueServer {
  stores: Stores;
  /** Opens a connection; `wrap` may change how the server reads it (see `reusingStream`). */
  connect(
    options?: Partial<ServerSessionOptions>,
    wrap?: (stream: ByteStream) => ByteStream,
  ): Dialogue;
}

/** Sets up domain.de with the seed's user, and returns a way to open connections. */
export async function dialogueServer(
  options: { verifier?: CredentialVerifier } = {},
): Promise<DialogueServer> {
  const stores = createMemoryStores(() => Date.now());
  const { kdf } = createFastKdf();
  await stores.domains.add("domain.de");
  const secrets = await createUserSecrets("testing", { cramMd5: true, kdf });
  await stores.users.put({ address: "test@domain.de", ...secrets, updatedAt: 0 });
  const verifier = options.verifier ??
    new UserStoreVerifier(stores.users, { kdf, cramMd5Enabled: true });
  return {
    stores,
    connect(options = {}, wrap = (stream) => stream) {
      const sessionOptions: ServerSessionOptions = {
        hostname: "mail.domain.de",
        clientAddress: "192.168.10.10",
        maxMessageBytes: 1 << 20,
        authMechanisms: ["LOGIN", "CRAM-MD5", "PLAIN"],
        authFailureDelayMs: 0,
        randomBytes: (n) => new Uint8Array(n).fill(7),
        ...options,
      };
      const reads = new ReadDeadlines({ tickMs: 1_000, now: Date.now });
      return openDialogue((streams) =>
        serveConnection(wrap(webByteStream(streams)), {
          newSession: () => new ServerSession(sessionOptions),
          stores,
          verifier,
          limiter: new LoginLimiter(),
          checks: new ClientCheckQueue(2),
          idleTimeoutMs: 60_000,
          now: Date.now,
          log: () => {},
          reads,
        }, {
          clientAddress: options.clientAddress ?? "192.168.10.10",
          peer: "192.168.10.10:4000",
        })
      );
    },
  };
}

function openDialogue(
  serve: (stream: {
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<Uint8Array>;
  }) => Promise<void>,
): Dialogue {
  // Room for many chunks each way, as a socket's kernel buffers give: a script may
  // send its next line before reading the previous reply.
  const buffered = () =>
    new TransformStream<Uint8Array, Uint8Array>(
      {},
      new CountQueuingStrategy({ highWaterMark: 1024 }),
      new CountQueuingStrategy({ highWaterMark: 1024 }),
    );
  const toServer = buffered();
  const toClient = buffered();
  const finished = serve({ readable: toServer.readable, writable: toClient.writable });
  const writer = toServer.writable.getWriter();
  const reader = toClient.readable.getReader();
  let pending = "";

  const readLine = async (): Promise<string | undefined> => {
    while (!pending.includes("\r\n")) {
      const { value, done } = await reader.read();
      if (done) return pending === "" ? undefined : pending;
      pending += decoder.decode(value);
    }
    const end = pending.indexOf("\r\n");
    const line = pending.slice(0, end);
    pending = pending.slice(end + 2);
    return line;
  };
  const send = (bytes: string | Uint8Array) =>
    writer.write(typeof bytes === "string" ? encoder.encode(bytes) : bytes);

  return {
    readLine,
    send,
    finished,
    close: () => writer.close().catch(() => {}),
    async play(script: string) {
      for (const raw of script.split("\n")) {
        const line = raw.trimStart();
        if (line === "") continue;
        const text = line.slice(3);
        if (line === "C:") await send("\r\n");
        else if (line.startsWith("C: ")) await send(`${text}\r\n`);
        else if (line.startsWith("S: ")) equal(await readLine(), text);
        else if (line.startsWith("S~ ")) {
          const got = await readLine();
          ok(got?.startsWith(text), `expected a line starting ${JSON.stringify(text)}, got ${got}`);
        } else throw new TypeError(`Cannot read script line: ${line}`);
      }
    },
  };
}
