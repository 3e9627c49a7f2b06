/**
 * AUTH sessions per second (`EHLO, AUTH PLAIN, QUIT`) from concurrent clients:
 * Tollgate with its default hash (scrypt N=2^15) cold (`TOLLGATE_AUTH_CACHE_TTL=0`:
 * every login pays the hash) and with the verification cache, against
 * nodemailer's smtp-server checking the password in constant time without
 * any hash. Used by `bench/run.ts`; `deno run -A bench/auth_sessions.ts`
 * prints the section alone.
 *
 * @module
 */
import { RawSmtpClient } from "../tests/_raw_smtp.ts";
import { addLocalUser, startTollgate } from "../tests/_server.ts";
import { startPeer } from "./_peer.ts";
import { median } from "./_report.ts";

/** The load: how many sessions (fewer when every login hashes), how many at once, how many runs. */
export const AUTH_LOAD = {
  sessions: 200,
  hashedSessions: 30,
  concurrency: 10,
  runs: 3,
  warmUp: 10,
};
const USER = { address: "bench@example.net", password: "bench-password" };

/** The runs of one server. */
export interface AuthResult {
  server: string;
  /** Sessions per second, one value per run. */
  runs: number[];
}

const plain = new TextEncoder().encode(`\0${USER.address}\0${USER.password}`).toBase64();

async function oneSession(port: number): Promise<void> {
  const client = await RawSmtpClient.connect(port);
  try {
    for (const [command, code] of [[undefined, 220], ["EHLO bench.test", 250]] as const) {
      const reply = command === undefined ? await client.reply() : await client.command(command);
      if (reply.code !== code) throw new Error(`expected ${code}, got ${reply.code}`);
    }
    const auth = await client.command(`AUTH PLAIN ${plain}`);
    if (auth.code !== 235) throw new Error(`AUTH PLAIN answered ${auth.code} ${auth.lines}`);
    await client.command("QUIT");
  } finally {
    client.close();
  }
}

/** Runs `sessions` logins, `concurrency` at a time; returns sessions per second. */
export async function measureAuthSessions(
  port: number,
  load: { sessions: number; concurrency: number },
): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < load.sessions) {
      next++;
      await oneSession(port);
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  return load.sessions / ((performance.now() - started) / 1000);
}

async function runs(server: string, port: number, sessions: number): Promise<AuthResult> {
  await measureAuthSessions(port, { ...AUTH_LOAD, sessions: AUTH_LOAD.warmUp });
  const rates: number[] = [];
  for (let run = 0; run < AUTH_LOAD.runs; run++) {
    rates.push(await measureAuthSessions(port, { ...AUTH_LOAD, sessions }));
    console.log(`${server}, AUTH run ${run + 1}: ${rates.at(-1)!.toFixed(0)} sessions/s`);
  }
  return { server, runs: rates };
}

async function measureTollgate(server: string, cacheTtl: string): Promise<AuthResult> {
  const tollgate = await startTollgate({ env: { TOLLGATE_AUTH_CACHE_TTL: cacheTtl } });
  try {
    await addLocalUser(tollgate, USER);
    const sessions = cacheTtl === "0" ? AUTH_LOAD.hashedSessions : AUTH_LOAD.sessions;
    return await runs(server, tollgate.smtpPort, sessions);
  } finally {
    await tollgate.stop();
  }
}

async function measurePeer(server: string, greetingDelay: boolean): Promise<AuthResult> {
  const auth = { user: USER.address, password: USER.password };
  const peer = await startPeer({ greetingDelay, auth });
  try {
    return await runs(server, peer.port, AUTH_LOAD.sessions);
  } finally {
    await peer.stop();
  }
}

/** Measures Tollgate cold and cached, and the peer as shipped and without its greeting delay. */
export async function measureAuth(): Promise<AuthResult[]> {
  return [
    await measureTollgate("Tollgate, cache off (scrypt every login)", "0"),
    await measureTollgate("Tollgate, cache on (default 60 s)", "60"),
    await measurePeer("smtp-server (as shipped), constant-time compare", true),
    await measurePeer("smtp-server (no greeting delay), constant-time compare", false),
  ];
}

/** The `## AUTH sessions` section of `docs/benchmarks.md`. */
export function authSection(results: AuthResult[]): string {
  const rows = results.map((result) => {
    const sorted = [...result.runs].sort((a, b) => a - b);
    const range = `${sorted[0].toFixed(0)}–${sorted.at(-1)!.toFixed(0)}`;
    return `| ${result.server} | ${median(result.runs).toFixed(0)} | ${range} |`;
  });
  const { sessions, hashedSessions, concurrency, runs, warmUp } = AUTH_LOAD;
  return `## AUTH sessions (EHLO, AUTH PLAIN, QUIT; ${runs} runs each)

| server | median sessions/s | min–max sessions/s |
| --- | ---: | ---: |
${rows.join("\n")}

How to read it:
- ${sessions} sessions per run (${hashedSessions} with the cache off) from ${concurrency}
  concurrent clients over loopback (plaintext AUTH, allowed on 127.0.0.1), one user and
  password throughout; ${warmUp} warm-up sessions per server not counted.
- *cache off*: every login runs scrypt (N=2^15, r=8, p=1, 32 MiB) through \`node:crypto\`,
  as a server without a cache must: the price of a hash that resists offline cracking.
  Here one such call took ~330 ms and ten concurrent calls ~3.1 s, so they barely overlap;
  that caps this row.
- *cache on*: the verification cache (\`auth/verification_cache.ts\`) remembers the
  accepted password (by HMAC, never in clear) for 60 s, as Dovecot's \`auth_cache\` does.
- smtp-server compares the password in constant time with no hash at all, so it bounds
  what the protocol work alone costs; as shipped it waits 100 ms before each greeting.
`;
}

if (import.meta.main) {
  console.log(`\n${authSection(await measureAuth())}`);
}
