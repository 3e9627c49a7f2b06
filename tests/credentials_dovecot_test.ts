import { deepEqual, equal, match, throws } from "node:assert/strict";
import { DovecotAuthExchange, type DovecotStep, unescapeDovecot } from "../auth/dovecot_auth.ts";
import { DovecotVerifier, parseDovecotAddress } from "../runtime/deno/dovecot_client.ts";
import { type RunningDovecot, startDovecot } from "./_dovecot.ts";
import { startTollgate } from "./_server.ts";
import { authenticate } from "./_smtp_auth.ts";

const HANDSHAKE = [
  "VERSION\t1\t2",
  "MECH\tPLAIN\tplaintext",
  "MECH\tLOGIN\tplaintext",
  "SPID\t1029",
  "CUID\t1",
  "COOKIE\t2c4ba83856d4cd39574d29bc4dd6dbb8",
  "DONE",
];
const FIXTURE = new URL("./fixtures/credentials/hashes.json", import.meta.url);
const { vectors } = JSON.parse(await Deno.readTextFile(FIXTURE)) as {
  vectors: { command: string; hash: string }[];
};
const SHA512_CRYPT = vectors.find((v) => v.command === "doveadm pw -s SHA512-CRYPT -p 'testing'")!;

function exchangeThrough(lines: string[], username = "test@domain.de"): DovecotStep[] {
  const exchange = new DovecotAuthExchange({ username, password: "testing", clientPid: 7 });
  equal(exchange.start(), "VERSION\t1\t2\nCPID\t7\n");
  return lines.map((line) => exchange.receive(line));
}

Deno.test("dovecot exchange: handshake, then AUTH PLAIN with the initial response", () => {
  const steps = exchangeThrough(HANDSHAKE);
  deepEqual(steps.slice(0, -1).map((step) => step.kind), Array(6).fill("wait"));
  const resp = new TextEncoder().encode("\0test@domain.de\0testing").toBase64();
  deepEqual(steps.at(-1), {
    kind: "send",
    text: `AUTH\t1\tPLAIN\tservice=smtp\tsecured\tnologin\tno-penalty\tresp=${resp}\n`,
  });
});

Deno.test("dovecot exchange: OK accepts Dovecot's user name, FAIL rejects, temporary FAIL is 454", () => {
  deepEqual(exchangeThrough([...HANDSHAKE, "OK\t1\tuser=Test\x01tUser"]).at(-1), {
    kind: "done",
    result: { kind: "accepted", user: "Test\tUser" },
  });
  deepEqual(exchangeThrough([...HANDSHAKE, "OK\t1"]).at(-1), {
    kind: "done",
    result: { kind: "accepted", user: "test@domain.de" },
  });
  deepEqual(exchangeThrough([...HANDSHAKE, "FAIL\t1\tuser=test@domain.de"]).at(-1), {
    kind: "done",
    result: { kind: "rejected" },
  });
  for (const fail of ["FAIL\t1\ttemp\treason=db down", "FAIL\t1\tcode=temp_fail"]) {
    equal(
      (exchangeThrough([...HANDSHAKE, fail]).at(-1) as { result: { kind: string } }).result.kind,
      "temporary-failure",
    );
  }
});

Deno.test("dovecot exchange: a broken or unexpected peer is a temporary failure, never success", () => {
  const cases: [string[], RegExp][] = [
    [["VERSION\t2\t0"], /version 2/],
    [["MECH\tLOGIN\tplaintext", "VERSION\t1\t2", "DONE"], /does not offer PLAIN/],
    [["DONE"], /no VERSION/],
    [["HELLO"], /unexpected Dovecot handshake line/],
    [[...HANDSHAKE, "CONT\t1\t"], /unexpected Dovecot reply CONT/],
    [[...HANDSHAKE, "OK\t2"], /unexpected Dovecot reply OK/],
  ];
  for (const [lines, reason] of cases) {
    const last = exchangeThrough(lines).at(-1);
    if (last?.kind !== "done" || last.result.kind !== "temporary-failure") {
      throw new Error(`not a temporary failure: ${JSON.stringify(last)}`);
    }
    match(last.result.reason, reason);
  }
  const ended = new DovecotAuthExchange({ username: "u", password: "p", clientPid: 1 });
  ended.start();
  ended.receive("VERSION\t9\t0");
  throws(() => ended.receive("DONE"), TypeError);
});

Deno.test("dovecot exchange: NUL in a name or password is rejected without asking", () => {
  deepEqual(exchangeThrough(HANDSHAKE, "test@domain.de\0admin").at(-1), {
    kind: "done",
    result: { kind: "rejected" },
  });
});

Deno.test("dovecot escaping and addresses", () => {
  equal(
    unescapeDovecot("a\x010b\x011c\x01td\x01re\x01nf\x01lg\x01xh"),
    "a\0b\x01c\td\re\nf\ng" + "xh",
  );
  deepEqual(parseDovecotAddress("/run/dovecot/auth-client"), { path: "/run/dovecot/auth-client" });
  deepEqual(parseDovecotAddress("[::1]:12345"), { hostname: "::1", port: 12345 });
  throws(() => parseDovecotAddress("localhost"), TypeError);
  throws(() => parseDovecotAddress("localhost:0"), TypeError);
});

Deno.test("dovecot verifier: a server that never answers is a temporary failure", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const verifier = new DovecotVerifier({ hostname: "127.0.0.1", port }, { timeoutMs: 300 });
    deepEqual(await verifier.verify(login("testing")), {
      kind: "temporary-failure",
      reason: "Dovecot auth: no answer within 300 ms",
    });
  } finally {
    listener.close();
    held.forEach((conn) => conn.close());
    await accepting.catch(() => {});
  }
});

function login(password: string, username = "test@domain.de") {
  return { kind: "password", mechanism: "PLAIN", username, password } as const;
}

const withDovecot = (name: string, body: (dovecot: RunningDovecot) => Promise<void>) =>
  Deno.test({
    name,
    async fn() {
      const dovecot = await startDovecot({
        kind: "passwd-file",
        lines: [`test@domain.de:${SHA512_CRYPT.hash}::::::`],
      });
      try {
        await body(dovecot);
      } catch (error) {
        throw new Error(`${error}\nDovecot log:\n${await dovecot.log()}`);
      } finally {
        await dovecot.stop();
      }
    },
  });

withDovecot(
  "dovecot verifier: a real Dovecot over its UNIX socket and over TCP",
  async (dovecot) => {
    for (
      const address of [{ path: dovecot.socketPath }, { hostname: "127.0.0.1", port: dovecot.port }]
    ) {
      const verifier = new DovecotVerifier(address, { timeoutMs: 5000 });
      deepEqual(await verifier.verify(login("testing")), {
        kind: "accepted",
        user: "test@domain.de",
      });
      deepEqual(await verifier.verify(login("Testing")), { kind: "rejected" });
      deepEqual(await verifier.verify(login("testing", "nobody@domain.de")), { kind: "rejected" });
    }
  },
);

withDovecot(
  "dovecot server: PLAIN and LOGIN through Tollgate, no CRAM-MD5 offered; Dovecot down is 454",
  async (dovecot) => {
    const tollgate = await startTollgate({
      env: {
        TOLLGATE_DOVECOT_AUTH: dovecot.socketPath,
        TOLLGATE_AUTH_CACHE_TTL: "0",
        TOLLGATE_AUTH_FAILURE_DELAY_MS: "0",
      },
    });
    try {
      for (const mechanism of ["PLAIN", "LOGIN"] as const) {
        deepEqual(
          await authenticate(tollgate.smtpPort, {
            mechanism,
            user: "test@domain.de",
            password: "testing",
          }),
          {
            offered: ["LOGIN", "PLAIN"],
            auth: 235,
            relay: 250,
          },
        );
        const wrong = await authenticate(tollgate.smtpPort, {
          mechanism,
          user: "test@domain.de",
          password: "x",
        });
        deepEqual([wrong.auth, wrong.relay], [535, 553]);
      }
      await dovecot.stop();
      const down = await authenticate(tollgate.smtpPort, {
        mechanism: "PLAIN",
        user: "test@domain.de",
        password: "testing",
      });
      deepEqual([down.auth, down.relay], [454, 553]);
    } finally {
      await tollgate.stop();
    }
  },
);
