/**
 * The independent parties of the DKIM tests: an aiosmtpd sink that reports the
 * bytes it received, and two verifiers nobody here wrote, Python's `dkim`
 * (dkimpy, Debian `python3-dkim` with `python3-nacl`) and npm `mailauth`, both
 * answering DNS from the records the admin API lists.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";

const DEBIAN_PYTHON = "/usr/bin/python3";
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** One DNS record as `GET /api/dkim/{domain}` lists it. */
export interface DnsRecord {
  name: string;
  type: string;
  value: string;
}

/** One message as the sink received it. */
export interface SunkMessage {
  from: string;
  to: string[];
  bytes: Uint8Array;
}

/** A running sink. */
export interface RunningDkimSink {
  port: number;
  /** Waits until at least `count` messages arrived, then returns them all. */
  messages(count: number): Promise<SunkMessage[]>;
  stop(): Promise<void>;
}

/** Starts the aiosmtpd sink (`tests/fixtures/dkim_sink.py`). */
export async function startDkimSink(): Promise<RunningDkimSink> {
  const child = new Deno.Command(DEBIAN_PYTHON, {
    args: [fixture("dkim_sink.py")],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const messages: SunkMessage[] = [];
  let port = 0;
  let buffered = "";
  const readMore = async () => {
    const { value, done } = await reader.read();
    if (done) throw new Error("the DKIM sink exited (apt-get install python3-aiosmtpd)");
    buffered += value;
    for (let at; (at = buffered.indexOf("\n")) >= 0; buffered = buffered.slice(at + 1)) {
      const report = JSON.parse(buffered.slice(0, at));
      if ("port" in report) port = report.port;
      else {
        const bytes = Uint8Array.from(atob(report.data), (c) => c.charCodeAt(0));
        messages.push({ from: report.mail_from, to: report.rcpt_tos, bytes });
      }
    }
  };
  while (port === 0) await readMore();
  return {
    port,
    async messages(count) {
      while (messages.length < count) await readMore();
      return messages;
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel().catch(() => {});
    },
  };
}

/** One signature's verdict: its domain, selector, algorithm, and whether it verified. */
export interface Verdict {
  d: string;
  s: string;
  a: string;
  ok: boolean;
}

/** Every signature of `message` checked by dkimpy (`tests/fixtures/dkim_verify.py`). */
export async function verifyWithDkimpy(
  message: Uint8Array,
  records: DnsRecord[],
): Promise<Verdict[]> {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-dkim-" });
  try {
    await Deno.writeFile(`${dir}/message.eml`, message);
    await Deno.writeTextFile(`${dir}/records.json`, JSON.stringify(records));
    const output = await new Deno.Command(DEBIAN_PYTHON, {
      args: [fixture("dkim_verify.py"), `${dir}/message.eml`, `${dir}/records.json`],
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    if (!output.success) throw new Error(`dkim_verify.py failed: ${stderr}`);
    return JSON.parse(new TextDecoder().decode(output.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every signature of `message` checked by mailauth's `dkimVerify`. */
export async function verifyWithMailauth(
  message: Uint8Array,
  records: DnsRecord[],
): Promise<Verdict[]> {
  const resolver = (name: string, type: string) => {
    const found = records.filter((r) => r.type === type && r.name === name.toLowerCase());
    if (found.length === 0) {
      return Promise.reject(Object.assign(new Error(`no ${type} ${name}`), { code: "ENOTFOUND" }));
    }
    return Promise.resolve(found.map((r) => [r.value]));
  };
  const result = await dkimVerify(Buffer.from(message), { resolver });
  // deno-lint-ignore no-explicit-any
  return result.results.map((one: any) => ({
    d: one.signingDomain,
    s: one.selector,
    a: one.algo,
    ok: one.status?.result === "pass",
  }));
}
