/**
 * `deno task checkpassword subprogram [args...]`: Tollgate as a checkpassword
 * program, so qmail-pop3d, Courier or Dovecot (`passdb { driver =
 * checkpassword }`) check their users against Tollgate's user store.
 *
 * Reads `user\0secret\0extra\0` (at most 512 bytes) from file descriptor 3.
 * The secret is checked as a password; if it has CRAM-MD5's shape (32 hex
 * digits next to a `<...@...>` challenge, in either order) it is checked as a
 * CRAM-MD5 answer first. On success it runs the subprogram with `USER` set to
 * the stored address (and fd 4 passed on when it is open, for Dovecot's
 * `checkpassword-reply`) and exits with its status; a wrong password exits 1,
 * a misuse 2, a store or read failure 111 (checkpassword's "temporary").
 *
 * The store is the server's (`TOLLGATE_STORE`: `$TOLLGATE_DATA/tollgate.kv`
 * by default, or PostgreSQL), opened beside a running server: only users are
 * read (and a legacy hash upgraded), nothing else is touched. `TOLLGATE_CRAM_MD5=off` turns CRAM-MD5 off here too.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { Socket } from "node:net";
import type { StdioOptions } from "node:child_process";
import {
  CHECKPASSWORD_TEMPORARY_EXIT,
  MAX_CHECKPASSWORD_PAYLOAD,
  readCheckpasswordPayload,
} from "../../auth/checkpassword.ts";
import type { Credentials, VerifyResult } from "../../auth/credentials.ts";
import { UserStoreVerifier } from "../../auth/store_verifier.ts";
import { ConfigError } from "./config.ts";
import { openUserStore } from "./open_stores.ts";
import { parseStoreSettings } from "./store_config.ts";
import { nodeCrypt } from "./legacy_crypt.ts";
import { nodeScryptKdf } from "./scrypt_kdf.ts";

const REJECTED_EXIT = 1;
const MISUSE_EXIT = 2;
const CRAM_DIGEST = /^[0-9a-fA-F]{32}$/;
const CRAM_CHALLENGE = /^<[^<>\s]+@[^<>\s]+>$/;

function fail(code: number, message: string): never {
  console.error(`tollgate checkpassword: ${message}`);
  Deno.exit(code);
}

/** Reads fd 3 to its end (or 513 bytes, one too many to be valid). */
function readFd3(): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    const socket = new Socket({ fd: 3, readable: true, writable: false });
    socket.on("data", (chunk: Uint8Array) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length > MAX_CHECKPASSWORD_PAYLOAD) socket.destroy();
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const bytes = new Uint8Array(length);
      chunks.reduce((offset, chunk) => (bytes.set(chunk, offset), offset + chunk.length), 0);
      resolve(bytes);
    });
  });
}

/** The credentials to try, CRAM-MD5 first when the fields have its shape. */
function candidates(username: string, secret: string, extra: string): Credentials[] {
  const password: Credentials = {
    kind: "password",
    mechanism: "PLAIN",
    username,
    password: secret,
  };
  const [digest, challenge] = CRAM_DIGEST.test(secret) ? [secret, extra] : [extra, secret];
  if (!CRAM_DIGEST.test(digest) || !CRAM_CHALLENGE.test(challenge)) return [password];
  const cram: Credentials = {
    kind: "cram-md5",
    mechanism: "CRAM-MD5",
    username,
    challenge,
    digest: digest.toLowerCase(),
  };
  return [cram, password];
}

/** fd 4 is Dovecot's reply channel; pass it on only if it is a pipe or socket we were given. */
function inheritedFd4(): StdioOptions {
  try {
    const target = Deno.readLinkSync("/proc/self/fd/4");
    if (/^(pipe|socket):/.test(target)) return ["inherit", "inherit", "inherit", "ignore", 4];
  } catch {
    // Not open.
  }
  return ["inherit", "inherit", "inherit"];
}

function runSubprogram(command: string[], user: string): Promise<number> {
  const env = { ...Deno.env.toObject(), USER: user };
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: inheritedFd4(), env });
    child.on("error", (error) => {
      console.error(`tollgate checkpassword: cannot run ${command[0]}: ${error.message}`);
      resolve(CHECKPASSWORD_TEMPORARY_EXIT);
    });
    child.on("exit", (code) => resolve(code ?? CHECKPASSWORD_TEMPORARY_EXIT));
  });
}

const subprogram = Deno.args;
if (subprogram.length === 0) fail(MISUSE_EXIT, "usage: checkpassword_main.ts subprogram [args...]");

let payload: Uint8Array;
try {
  payload = await readFd3();
} catch (error) {
  fail(CHECKPASSWORD_TEMPORARY_EXIT, `cannot read fd 3: ${(error as Error).message}`);
}
const fields = readCheckpasswordPayload(payload);
if (fields.kind === "invalid") fail(MISUSE_EXIT, `bad data on fd 3: ${fields.reason}`);

const env = (name: string) => Deno.env.get(name)?.trim() || undefined;
const dataDir = env("TOLLGATE_DATA") ?? "./data";
let opened: Awaited<ReturnType<typeof openUserStore>>;
try {
  opened = await openUserStore({ store: parseStoreSettings(env).store, dataDir });
} catch (error) {
  if (error instanceof ConfigError) fail(MISUSE_EXIT, error.message);
  fail(CHECKPASSWORD_TEMPORARY_EXIT, `cannot open the user store: ${error}`);
}
const verifier = new UserStoreVerifier(opened.users, {
  kdf: nodeScryptKdf,
  crypt: nodeCrypt,
  cramMd5Enabled: Deno.env.get("TOLLGATE_CRAM_MD5")?.trim().toLowerCase() !== "off",
});
let result: VerifyResult = { kind: "rejected" };
for (const credentials of candidates(fields.username, fields.secret, fields.extra)) {
  result = await verifier.verify(credentials);
  if (result.kind !== "rejected") break;
}
await opened.close();

if (result.kind === "temporary-failure") fail(CHECKPASSWORD_TEMPORARY_EXIT, result.reason);
if (result.kind === "rejected") Deno.exit(REJECTED_EXIT);
Deno.exit(await runSubprogram(subprogram, result.user));
