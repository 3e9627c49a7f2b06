// @ts-check
/**
 * The benchmark's peer: nodemailer's `smtp-server` on 127.0.0.1 (kernel-chosen port),
 * accepting every recipient, AUTH optional, discarding message bodies. Prints
 * `smtp-server listening on 127.0.0.1:<port>` once ready. Plain JavaScript on Node's APIs:
 * the bench runs it on Node.js, the runtime smtp-server is written for.
 *
 * smtp-server 3.21.6 waits a hard-coded 100 ms before each greeting to catch early
 * talkers (`SMTPConnection.init` in `dist/esm/smtp-connection.js`); no option turns it
 * off. With `--no-greeting-delay` this script replaces `init` with the same code minus
 * that timer, so both the as-shipped server and its protocol speed can be measured.
 *
 * With `--arrivals <file>` it appends `<id> <epoch ms>` to the file for every message
 * whose header block has an `X-Bench-Id: <id>` line, the time taken when the body has
 * ended, just before the `250`: the delivery latency benchmark's sink.
 *
 * Usage: `node bench/smtp_server_peer.mjs [--no-greeting-delay] [--tls cert key [--secure]]
 * [--auth user password] [--arrivals file]` (from the repository root, after `deno install`).
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { openSync, readFileSync, writeSync } from "node:fs";
import process from "node:process";
import { SMTPServer } from "smtp-server";
import { SMTPConnection } from "smtp-server/lib/smtp-connection.js";

const args = process.argv.slice(2);

if (args.includes("--no-greeting-delay")) {
  /** @this {{ _setListeners(ready: () => void): void; connectionReady(): void }} */
  SMTPConnection.prototype.init = function () {
    this._setListeners(() => this.connectionReady());
  };
}

// `--tls <cert.pem> <key.pem>`: offer STARTTLS with this certificate; with `--secure`
// as well, speak TLS from the first byte (port 465 style).
const tlsAt = args.indexOf("--tls");
const tls = tlsAt < 0 ? undefined : {
  cert: readFileSync(args[tlsAt + 1], "utf8"),
  key: readFileSync(args[tlsAt + 2], "utf8"),
};

// `--auth <user> <password>`: require AUTH (PLAIN, LOGIN in the clear) for this one user,
// checked in constant time (SHA-256 of both sides) without any password hash.
const authAt = args.indexOf("--auth");
/** @param {string} text */
const digest = (text) => createHash("sha256").update(text).digest();
const expected = authAt < 0 ? undefined : digest(`${args[authAt + 1]}\0${args[authAt + 2]}`);

// `--arrivals <file>`: one `<id> <epoch ms>` line per message with an `X-Bench-Id` header.
const arrivalsAt = args.indexOf("--arrivals");
const arrivals = arrivalsAt < 0 ? undefined : openSync(args[arrivalsAt + 1], "a");
const BENCH_ID = /^X-Bench-Id: *(\S+)\r?$/im;

/**
 * Discards a message; with `--arrivals`, notes its id and when its body ended.
 * @param {import("node:stream").Readable} stream
 * @param {() => void} done
 */
function receive(stream, done) {
  if (arrivals === undefined) {
    stream.on("end", () => done());
    stream.resume();
    return;
  }
  let head = "";
  stream.on("data", (/** @type {Buffer} */ chunk) => {
    if (head.length < 8192) head += chunk.toString("latin1");
  });
  stream.on("end", () => {
    const now = performance.timeOrigin + performance.now();
    const headerEnd = head.search(/\r?\n\r?\n/);
    const id = BENCH_ID.exec(headerEnd < 0 ? head : head.slice(0, headerEnd))?.[1];
    if (id !== undefined) writeSync(arrivals, `${id} ${now.toFixed(3)}\n`);
    done();
  });
}

const server = new SMTPServer({
  name: "peer.test",
  ...(expected
    ? { authMethods: ["PLAIN", "LOGIN"], allowInsecureAuth: true }
    : { authOptional: true }),
  ...(tls ? { ...tls, secure: args.includes("--secure") } : { disabledCommands: ["STARTTLS"] }),
  disableReverseLookup: true,
  logger: false,
  onAuth(auth, _session, callback) {
    if (!expected) return callback(null, { user: "bench" });
    const given = digest(`${auth.username}\0${auth.password}`);
    if (timingSafeEqual(given, expected)) callback(null, { user: auth.username });
    else callback(new Error("Invalid username or password"));
  },
  onData(stream, _session, callback) {
    receive(stream, () => callback());
  },
});

server.listen(0, "127.0.0.1", () => {
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new TypeError("Not a TCP listener");
  console.log(`smtp-server listening on 127.0.0.1:${address.port}`);
});

// Relays keep their connections open for more mail: with `--arrivals`, do not wait for them.
process.on(
  "SIGTERM",
  () => arrivals === undefined ? server.close(() => process.exit(0)) : process.exit(0),
);
