/**
 * An SMTP server with AUTH (PLAIN, LOGIN, CRAM-MD5) and qmail's relay rule on
 * Node's `net` module, built only from Tollgate's runtime-agnostic exports:
 * mail for `domain.de` is accepted from anyone (for users that exist), mail
 * for other domains only after AUTH as `test@domain.de` / `testing`. Accepted
 * messages stay in a memory queue. See README.md in this folder to run it.
 *
 * For a demo on loopback only: AUTH goes in the clear, as no TLS is set up.
 *
 * @module
 */
import { createServer, type Socket } from "node:net";
import { createUserSecrets, LoginLimiter, UserStoreVerifier } from "@tollgate/tollgate/auth";
import {
  type ByteStream,
  ClientCheckQueue,
  type ConnectionDeps,
  ReadDeadlines,
  startConnection,
} from "@tollgate/tollgate/server";
import { ServerSession } from "@tollgate/tollgate/smtp";
import { createMemoryStores } from "@tollgate/tollgate/store";

const HOSTNAME = "mail.domain.de";
const port = Number(process.env.PORT ?? 2525);

const stores = createMemoryStores(Date.now);
await stores.domains.add("domain.de");
const secrets = await createUserSecrets("testing", { cramMd5: true });
await stores.users.put({ address: "test@domain.de", ...secrets, updatedAt: Date.now() });

const deps: ConnectionDeps = {
  stores,
  verifier: new UserStoreVerifier(stores.users, { cramMd5Enabled: true }),
  limiter: new LoginLimiter(),
  checks: new ClientCheckQueue(2),
  idleTimeoutMs: 300_000,
  now: Date.now,
  log: console.log,
  reads: new ReadDeadlines({ tickMs: 1000, now: Date.now }),
  newSession: ({ clientAddress }) =>
    new ServerSession({
      hostname: HOSTNAME,
      clientAddress,
      maxMessageBytes: 10 << 20,
      authMechanisms: ["LOGIN", "CRAM-MD5", "PLAIN"],
      authFailureDelayMs: 2000,
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    }),
};

/** A Node socket as the connection driver's {@linkcode ByteStream}. */
function socketStream(socket: Socket): ByteStream {
  const chunks = socket[Symbol.asyncIterator]();
  return {
    read: async () => (await chunks.next()).value ?? null,
    write: (bytes) =>
      new Promise((resolve, reject) => socket.write(bytes, (e) => e ? reject(e) : resolve())),
    close: () => void socket.destroy(),
  };
}

const server = createServer((socket) => {
  const clientAddress = socket.remoteAddress ?? "unknown";
  const peer = `${clientAddress}:${socket.remotePort}`;
  startConnection(socketStream(socket), deps, { clientAddress, peer }, () => {});
});
server.listen(port, "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  console.log(`smtp listening on 127.0.0.1:${port} as ${HOSTNAME}`);
});
