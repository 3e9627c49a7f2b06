/**
 * The AUTH benchmark's peer: nodemailer's `smtp-server` on 127.0.0.1
 * (kernel-chosen port) with PLAIN and LOGIN over plaintext, checking one user
 * with a constant-time comparison (SHA-256 of both sides, `timingSafeEqual`),
 * no hashing. Prints `smtp-server listening on 127.0.0.1:<port>` once ready.
 *
 * `--no-greeting-delay` drops smtp-server's hard-coded 100 ms wait before the
 * greeting, as `bench/smtp_server_peer.ts` does.
 *
 * Usage: `deno run -A bench/smtp_server_auth_peer.ts USER PASSWORD [--no-greeting-delay]`
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { SMTPServer } from "smtp-server";
import { SMTPConnection } from "smtp-server/lib/smtp-connection.js";

interface PatchableConnection {
  _setListeners(ready: () => void): void;
  connectionReady(): void;
}

const [user, password] = Deno.args;
if (Deno.args.includes("--no-greeting-delay")) {
  SMTPConnection.prototype.init = function (this: PatchableConnection) {
    this._setListeners(() => this.connectionReady());
  };
}

const digest = (text: string) => createHash("sha256").update(text).digest();
const expected = digest(`${user}\0${password}`);

const server = new SMTPServer({
  name: "peer.test",
  authMethods: ["PLAIN", "LOGIN"],
  allowInsecureAuth: true,
  disabledCommands: ["STARTTLS"],
  disableReverseLookup: true,
  logger: false,
  onAuth(auth, _session, callback) {
    const given = digest(`${auth.username}\0${auth.password}`);
    if (timingSafeEqual(given, expected)) callback(null, { user: auth.username });
    else callback(new Error("Invalid username or password"));
  },
  onData(stream, _session, callback) {
    stream.on("end", () => callback());
    stream.resume();
  },
});

server.listen(0, "127.0.0.1", () => {
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new TypeError("Not a TCP listener");
  console.log(`smtp-server listening on 127.0.0.1:${address.port}`);
});

Deno.addSignalListener("SIGTERM", () => server.close(() => Deno.exit(0)));
