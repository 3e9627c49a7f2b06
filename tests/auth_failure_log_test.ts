import { deepEqual, equal } from "node:assert/strict";
import { failureLogLine, MAX_LOGGED_USERNAME_LENGTH } from "../auth/failure_log.ts";

const FILTER = new URL("../docs/fail2ban/tollgate.conf", import.meta.url);

/**
 * fail2ban's `<ADDR>` (fail2ban/server/failregex.py and ipdns.py, 1.x): an
 * IPv4 address (optionally IPv4-mapped) in group `ip4`, or an IPv6 one in `ip6`.
 */
const FAIL2BAN_ADDR = String.raw`\[?(?:(?:::f{4,6}:)?(?P<ip4>(?:\d{1,3}\.){3}\d{1,3})|` +
  String.raw`(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)))\]?`;

/** The `failregex` of the shipped filter, with `<ADDR>` expanded as fail2ban does. */
async function failregex(): Promise<string> {
  const text = await Deno.readTextFile(FILTER);
  const match = text.match(/^failregex = (.+)$/m);
  if (match === null) throw new Error("docs/fail2ban/tollgate.conf has no failregex");
  return match[1].replaceAll("<ADDR>", FAIL2BAN_ADDR);
}

/**
 * Runs Python's `re.search` (fail2ban's engine) over each line; returns the
 * banned address per line, or null where the line does not match.
 */
async function bannedAddresses(lines: string[]): Promise<(string | null)[]> {
  const script = [
    "import json, re, sys",
    "data = json.load(sys.stdin)",
    "pattern = re.compile(data['regex'])",
    "out = []",
    "for line in data['lines']:",
    "    m = pattern.search(line)",
    "    out.append(None if m is None else (m.group('ip4') or m.group('ip6')))",
    "print(json.dumps(out))",
  ].join("\n");
  const child = new Deno.Command("python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ regex: await failregex(), lines })));
  await writer.close();
  const { code, stdout } = await child.output();
  equal(code, 0);
  return JSON.parse(new TextDecoder().decode(stdout));
}

const TIME = Date.UTC(2025, 0, 2, 3, 4, 5);

Deno.test("failureLogLine writes the stable format", () => {
  equal(
    failureLogLine({
      clientAddress: "192.0.2.1",
      username: "test@domain.de",
      mechanism: "PLAIN",
      time: TIME,
    }),
    "2025-01-02T03:04:05.000Z tollgate: auth failed client=192.0.2.1 user=test@domain.de mechanism=PLAIN",
  );
});

Deno.test("failureLogLine percent-encodes spaces, controls, '=' and non-ASCII in the user name", () => {
  const line = failureLogLine({
    clientAddress: "2001:db8::7",
    username: "a b\r\nc=d%ü\u0000",
    mechanism: "CRAM-MD5",
    time: TIME,
  });
  equal(
    line,
    "2025-01-02T03:04:05.000Z tollgate: auth failed client=2001:db8::7 " +
      "user=a%20b%0D%0Ac%3Dd%25%C3%BC%00 mechanism=CRAM-MD5",
  );
});

Deno.test("failureLogLine cuts long user names and survives lone surrogates", () => {
  const line = failureLogLine({
    clientAddress: "192.0.2.1",
    username: "x".repeat(10_000) + "\ud800",
    mechanism: "LOGIN",
    time: TIME,
  });
  equal(line.includes(`user=${"x".repeat(MAX_LOGGED_USERNAME_LENGTH)} `), true);
  const short = failureLogLine({
    clientAddress: "192.0.2.1",
    username: "\ud800",
    mechanism: "LOGIN",
    time: TIME,
  });
  equal(short.includes("user=%EF%BF%BD mechanism=LOGIN"), true);
});

Deno.test("the fail2ban filter bans the client of each failure line, as fail2ban's regex engine reads it", async () => {
  const line = (clientAddress: string, username: string) =>
    failureLogLine({ clientAddress, username, mechanism: "PLAIN", time: TIME });
  const plain = line("192.0.2.1", "test@domain.de");
  const lines = [
    plain,
    // fail2ban cuts the date it found out of the line before matching:
    plain.replace("2025-01-02T03:04:05.000Z", ""),
    // a syslog or journal prefix in front:
    `Jan  2 03:04:05 mx tollgate[812]: ${plain}`,
    line("2001:db8::7", "test@domain.de"),
    line("::ffff:198.51.100.4", "test@domain.de"),
    // a user name that tries to name another client, or to end the line:
    line("192.0.2.1", "x client=10.0.0.1 user=y mechanism=PLAIN"),
    line("192.0.2.1", "x\n2025-01-02T03:04:05.000Z tollgate: auth failed client=10.0.0.1 user="),
    line("192.0.2.1", ""),
    // not failures:
    "2025-01-02T03:04:05.000Z tollgate: auth ok client=192.0.2.1 user=test@domain.de",
    "2025-01-02T03:04:05.000Z smtpd: auth failed client=192.0.2.1 user=a mechanism=PLAIN extra",
  ];
  deepEqual(await bannedAddresses(lines), [
    "192.0.2.1",
    "192.0.2.1",
    "192.0.2.1",
    "2001:db8::7",
    "198.51.100.4",
    "192.0.2.1",
    "192.0.2.1",
    "192.0.2.1",
    null,
    null,
  ]);
});
