/**
 * Local delivery into Maildir (D. J. Bernstein's format, which Dovecot and
 * Courier serve over POP3 and IMAP): one file per message in
 * `<root>/<domain>/<user>/new/`, written to `tmp/` first, fsynced, then
 * renamed, so a reader never sees half a message and a crash leaves at most
 * a stray file in `tmp/`.
 *
 * The file starts with `Return-Path:` and `Delivered-To:` (as qmail-local
 * writes them) and has LF line ends, as qmail-local and Dovecot expect.
 *
 * @module
 */
import { join } from "node:path";
import type { LocalMessage } from "../../delivery/outbound_types.ts";

export type { LocalMessage };

/** Where Maildirs live and how files are named. */
export interface MaildirOptions {
  /** The folder holding `<domain>/<user>/` Maildirs (`$TOLLGATE_DATA/mail`). */
  root: string;
  /** This host's name, the last part of every file name. */
  hostname: string;
  /** The clock (ms since epoch) for file names; defaults to `Date.now`. */
  now?: () => number;
}

/** Counts deliveries in this process: the `Q` part of unique names. */
let deliveries = 0;

/**
 * The Maildir folder of a mailbox: `<root>/<domain>/<user>`. A `/` or `%`
 * in the user part is written `%2F` or `%25`, and a leading `.` as `%2E`, so
 * every mailbox gets a folder of its own inside its domain's folder.
 *
 * @throws {RangeError} If the mailbox is not `user@domain` or the domain is
 *   not a plain host name.
 *
 * @example
 * ```ts
 * import { maildirFor } from "./maildir.ts";
 * console.log(maildirFor("/var/tollgate/mail", "test@domain.de"));
 * // "/var/tollgate/mail/domain.de/test"
 * console.log(maildirFor("/m", "a/b@domain.de")); // "/m/domain.de/a%2Fb"
 * ```
 */
export function maildirFor(root: string, mailbox: string): string {
  const at = mailbox.lastIndexOf("@");
  const user = mailbox.slice(0, at);
  const domain = mailbox.slice(at + 1);
  if (at <= 0 || !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(domain) || user.includes("\0")) {
    throw new RangeError(`Cannot deliver locally: "${mailbox}" is not a local mailbox`);
  }
  const safeUser = user.replaceAll("%", "%25").replaceAll("/", "%2F").replace(/^\./, "%2E");
  return join(root, domain, safeUser);
}

/**
 * Delivers one message into its mailbox's Maildir, creating the folders on
 * first use. Resolves with the path in `new/` once the file and the rename
 * are on disk; rejects (leaving nothing in `new/`) if anything fails.
 *
 * @example
 * ```ts
 * import { deliverToMaildir } from "./maildir.ts";
 * const root = await Deno.makeTempDir();
 * async function* body() {
 *   yield new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n");
 * }
 * const path = await deliverToMaildir(
 *   { from: "a@example.net", mailbox: "test@domain.de", body: body() },
 *   { root, hostname: "mail.domain.de" },
 * );
 * console.log((await Deno.readTextFile(path)).split("\n")[1]); // "Delivered-To: test@domain.de"
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function deliverToMaildir(
  message: LocalMessage,
  options: MaildirOptions,
): Promise<string> {
  const folder = maildirFor(options.root, message.mailbox);
  for (const sub of ["tmp", "new", "cur"]) {
    await Deno.mkdir(join(folder, sub), { recursive: true, mode: 0o700 });
  }
  const base = uniqueName(options.now ?? Date.now, options.hostname);
  const tmpPath = join(folder, "tmp", base);
  const file = await Deno.open(tmpPath, { write: true, createNew: true, mode: 0o600 });
  let size = 0;
  try {
    const header = `Return-Path: <${oneLine(message.from)}>\nDelivered-To: ${
      oneLine(message.mailbox)
    }\n`;
    size += await writeAll(file, new TextEncoder().encode(header));
    const toLf = new CrlfToLf();
    for await (const chunk of message.body) size += await writeAll(file, toLf.convert(chunk));
    size += await writeAll(file, toLf.end());
    await file.sync();
  } catch (error) {
    file.close();
    await Deno.remove(tmpPath).catch(() => {});
    throw error;
  }
  file.close();
  const newPath = join(folder, "new", `${base},S=${size}`);
  await Deno.rename(tmpPath, newPath);
  const directory = await Deno.open(join(folder, "new"), { read: true });
  try {
    await directory.sync();
  } finally {
    directory.close();
  }
  return newPath;
}

/** `<seconds>.M<microseconds>P<pid>Q<count>R<random>.<host>`, Dovecot's unique-name form. */
function uniqueName(now: () => number, hostname: string): string {
  const time = now();
  const seconds = Math.floor(time / 1000);
  const micros = String(Math.floor((time % 1000) * 1000)).padStart(6, "0");
  const random = Array.from(
    crypto.getRandomValues(new Uint8Array(4)),
    (byte) => byte.toString(16).padStart(2, "0"),
  ).join("");
  const host = hostname.replaceAll("/", "\\057").replaceAll(":", "\\072");
  return `${seconds}.M${micros}P${Deno.pid}Q${++deliveries}R${random}.${host}`;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, "");
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<number> {
  for (let offset = 0; offset < bytes.byteLength;) {
    offset += await file.write(bytes.subarray(offset));
  }
  return bytes.byteLength;
}

/** Turns CRLF into LF across chunk boundaries; a lone CR stays. */
class CrlfToLf {
  #pendingCr = false;

  convert(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.byteLength + 1);
    let length = 0;
    for (const byte of chunk) {
      if (this.#pendingCr && byte !== 0x0a) out[length++] = 0x0d;
      this.#pendingCr = byte === 0x0d;
      if (!this.#pendingCr) out[length++] = byte;
    }
    return out.subarray(0, length);
  }

  end(): Uint8Array {
    const rest = this.#pendingCr ? new Uint8Array([0x0d]) : new Uint8Array(0);
    this.#pendingCr = false;
    return rest;
  }
}
