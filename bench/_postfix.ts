/**
 * A private Postfix instance for the end-to-end benchmark: its own configuration,
 * durable queue and data folders in a temporary folder, smtpd on a free 127.0.0.1 port,
 * trusting 127.0.0.0/8; it relays everything to one next hop (`relayhost`) or delivers
 * the bench user's mail into a Maildir with its `virtual` agent. Runs as root (Postfix's
 * daemons drop to the `postfix` user), as Debian's postfix package installs it.
 *
 * @module
 */

import { freePort } from "../tests/_smtp_sink.ts";
import { pollUntil } from "./_poll.ts";
import { countLines, MAILDIR_RECIPIENT, type Relay, type RelayTarget } from "./_relays.ts";

const POSTFIX = "/usr/sbin/postfix";
/** The queues a message can be in until it has left; none of them must hold a file. */
const QUEUES = ["maildrop", "incoming", "active", "deferred", "hold"];
/** `nobody`: owns the Maildirs that `virtual` writes. */
const MAILDIR_OWNER = 65534;
const STOP_TIMEOUT_MS = 20_000;
const [MAILDIR_USER, MAILDIR_DOMAIN] = MAILDIR_RECIPIENT.split("@");

const POSTFIX_LOG = {
  delivered: /^.* status=sent .*$/gm,
  deferred: /^.* status=deferred .*$/gm,
  troubled: /^.*(?: status=bounced | warning: | fatal: | error: ).*$/gm,
};

/** The services of Debian's `master.cf` that a relay uses, none chrooted. */
const SERVICES = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

function mainCf(dir: string, target: RelayTarget): string {
  const delivery = target.kind === "smtp" ? [`relayhost = [127.0.0.1]:${target.port}`] : [
    `virtual_mailbox_domains = ${MAILDIR_DOMAIN}`,
    `virtual_mailbox_base = ${dir}/mail`,
    // One mailbox for every address of the domain; the trailing slash makes it a Maildir.
    `virtual_mailbox_maps = static:${MAILDIR_DOMAIN}/${MAILDIR_USER}/`,
    `virtual_uid_maps = static:${MAILDIR_OWNER}`,
    `virtual_gid_maps = static:${MAILDIR_OWNER}`,
  ];
  return [
    "compatibility_level = 3.6",
    `queue_directory = ${dir}/queue`,
    `data_directory = ${dir}/data`,
    `maillog_file = ${dir}/maillog`,
    `maillog_file_prefixes = ${dir}`,
    "mail_owner = postfix",
    "setgid_group = postdrop",
    "myhostname = postfix.bench.test",
    "mydestination =",
    // No local delivery: no aliases to open (Debian ships no /etc/aliases.db here).
    "alias_maps =",
    "alias_database =",
    "inet_interfaces = 127.0.0.1",
    "inet_protocols = ipv4",
    "mynetworks = 127.0.0.0/8",
    "default_transport = smtp",
    "relay_transport = smtp",
    "smtp_tls_security_level = none",
    "smtpd_tls_security_level = none",
    "biff = no",
    ...delivery,
  ].join("\n") + "\n";
}

async function postfix(dir: string, verb: "start" | "stop"): Promise<void> {
  const output = await new Deno.Command(POSTFIX, {
    args: ["-c", `${dir}/conf`, verb],
    stdin: "null",
    signal: AbortSignal.timeout(STOP_TIMEOUT_MS),
  }).output();
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr);
    const log = await Deno.readTextFile(`${dir}/maillog`).catch(() => "");
    throw new Error(`postfix ${verb} failed (${output.code}):\n${text}\nmaillog:\n${log}`);
  }
}

/** Counts the files below `path` (queue files sit one level down in hashed queues). */
async function countFiles(path: string): Promise<number> {
  let count = 0;
  for await (const entry of Deno.readDir(path)) {
    count += entry.isDirectory ? await countFiles(`${path}/${entry.name}`) : 1;
  }
  return count;
}

async function masterRunning(dir: string): Promise<boolean> {
  const pid = await Deno.readTextFile(`${dir}/queue/pid/master.pid`).catch(() => "");
  if (pid.trim() === "") return false;
  return await Deno.stat(`/proc/${pid.trim()}`).then(() => true, () => false);
}

/**
 * Starts a private Postfix (`postfix -c <temp>/conf start`) for `target`; `stop()` runs
 * `postfix -c … stop`, waits for its master to exit and removes the folder.
 *
 * @example
 * ```ts ignore
 * import { startPostfix } from "./_postfix.ts";
 * const postfix = await startPostfix({ kind: "maildir" });
 * try {
 *   console.log(postfix.port, postfix.maildirNew);
 * } finally {
 *   await postfix.stop();
 * }
 * ```
 */
export async function startPostfix(target: RelayTarget): Promise<Relay> {
  if (Deno.uid() !== 0) throw new Error("Cannot start a private Postfix: the bench is not root");
  const dir = await Deno.makeTempDir({ prefix: "tollgate-bench-postfix-" });
  const port = freePort();
  const remove = () => Deno.remove(dir, { recursive: true });
  try {
    for (const sub of ["conf", "queue", "data", "mail"]) await Deno.mkdir(`${dir}/${sub}`);
    await Deno.chmod(dir, 0o755);
    await Deno.chown(`${dir}/data`, postfixUid(), null);
    await Deno.chown(`${dir}/mail`, MAILDIR_OWNER, MAILDIR_OWNER);
    await Deno.writeTextFile(`${dir}/conf/main.cf`, mainCf(dir, target));
    await Deno.writeTextFile(
      `${dir}/conf/master.cf`,
      `127.0.0.1:${port} inet n - n - - smtpd\n${SERVICES}`,
    );
    await postfix(dir, "start");
  } catch (error) {
    if (await masterRunning(dir)) await postfix(dir, "stop").catch(() => {});
    await remove();
    throw error;
  }
  const output = () => {
    try {
      return Deno.readTextFileSync(`${dir}/maillog`);
    } catch {
      return "";
    }
  };
  return {
    name: "Postfix",
    port,
    async queueEmpty() {
      for (const queue of QUEUES) {
        if (await countFiles(`${dir}/queue/${queue}`) > 0) return false;
      }
      return true;
    },
    ...(target.kind === "maildir"
      ? { maildirNew: `${dir}/mail/${MAILDIR_DOMAIN}/${MAILDIR_USER}/new` }
      : {}),
    output,
    logCounts: () => countLines(output(), POSTFIX_LOG),
    async stop() {
      try {
        await postfix(dir, "stop");
        await pollUntil(async () => !await masterRunning(dir), {
          timeoutMs: STOP_TIMEOUT_MS,
          intervalMs: 50,
          what: "Postfix's master to exit",
        });
      } finally {
        await remove();
      }
    },
  };
}

/** The uid of the `postfix` user, which must own `data_directory`. */
function postfixUid(): number {
  const passwd = Deno.readTextFileSync("/etc/passwd");
  const match = /^postfix:[^:]*:(\d+):/m.exec(passwd);
  if (!match) throw new Error("Cannot start a private Postfix: no postfix user in /etc/passwd");
  return Number(match[1]);
}

/**
 * Postfix's version (`postconf -d -h mail_version`), or "(version unknown)".
 *
 * @example
 * ```ts
 * import { postfixVersion } from "./_postfix.ts";
 * console.log(postfixVersion()); // "3.7.11"
 * ```
 */
export function postfixVersion(): string {
  try {
    const output = new Deno.Command("postconf", { args: ["-d", "-h", "mail_version"] })
      .outputSync();
    return output.success ? new TextDecoder().decode(output.stdout).trim() : "(version unknown)";
  } catch {
    return "(version unknown)";
  }
}
