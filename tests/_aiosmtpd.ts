/**
 * Runs `tests/fixtures/aiosmtpd_relay.py` (Python's aiosmtpd, from Debian's
 * `python3-aiosmtpd`) as a relay requiring STARTTLS and AUTH, and collects
 * what it reports.
 *
 * @module
 */
import type { TestPki } from "./_test_ca.ts";

/** Debian's Python, where `apt-get install python3-aiosmtpd` puts the module. */
const DEBIAN_PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./fixtures/aiosmtpd_relay.py", import.meta.url).pathname;

/** One AUTH attempt as the relay saw it. */
export interface AiosmtpdAuth {
  auth: string;
  login: string;
  accepted: boolean;
  tls: boolean;
}

/** One message as the relay took it. */
export interface AiosmtpdMessage {
  mail_from: string;
  rcpt_tos: string[];
  body: string;
  user: string | null;
  tls: boolean;
  peer: [string, number];
}

/** A running aiosmtpd relay. */
export interface RunningAiosmtpd {
  port: number;
  /** Waits until at least `count` messages were reported, then returns them all. */
  messages(count: number): Promise<AiosmtpdMessage[]>;
  /** Waits until at least `count` AUTH attempts were reported, then returns them all. */
  auths(count: number): Promise<AiosmtpdAuth[]>;
  stop(): Promise<void>;
}

/** Starts the relay with the PKI's certificate, accepting one user. */
export async function startAiosmtpd(
  pki: TestPki,
  user: { username: string; password: string },
): Promise<RunningAiosmtpd> {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-aiosmtpd-" });
  await Deno.writeTextFile(`${dir}/cert.pem`, pki.certPem);
  await Deno.writeTextFile(`${dir}/key.pem`, pki.keyPem);
  const child = new Deno.Command(DEBIAN_PYTHON, {
    args: [SCRIPT, user.username, user.password, `${dir}/cert.pem`, `${dir}/key.pem`],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const auths: AiosmtpdAuth[] = [];
  const messages: AiosmtpdMessage[] = [];
  let buffered = "";
  let ended = false;

  /** Reads one more chunk of reports; false once the relay has exited. */
  const readMore = async (): Promise<boolean> => {
    const { value, done } = await lines.read();
    if (done) {
      ended = true;
      return false;
    }
    buffered += value;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const report = JSON.parse(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if ("port" in report) port = report.port;
      else if ("auth" in report) auths.push(report);
      else messages.push(report);
    }
    return true;
  };
  const waitFor = async <T>(list: T[], count: number): Promise<T[]> => {
    while (list.length < count) {
      if (ended || !await readMore()) throw new Error("aiosmtpd exited before reporting");
    }
    return list;
  };

  let port: number | undefined;
  while (port === undefined) {
    if (!await readMore()) {
      await child.status;
      await Deno.remove(dir, { recursive: true });
      throw new Error(
        `Cannot start aiosmtpd with ${DEBIAN_PYTHON} (apt-get install python3-aiosmtpd)`,
      );
    }
  }
  return {
    port,
    messages: (count) => waitFor(messages, count),
    auths: (count) => waitFor(auths, count),
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      while (!ended) await readMore();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
