import { deepEqual } from "node:assert/strict";
import { startTollgate } from "./_server.ts";
import { authenticate } from "./_smtp_auth.ts";

const CHECKER = new URL("./fixtures/credentials/checkpassword.py", import.meta.url).pathname;
const USER = "test@domain.de";

async function withServer(env: Record<string, string>, body: (port: number) => Promise<void>) {
  const tollgate = await startTollgate({
    env: { TOLLGATE_AUTH_CACHE_TTL: "0", TOLLGATE_AUTH_FAILURE_DELAY_MS: "0", ...env },
  });
  try {
    await body(tollgate.smtpPort);
  } finally {
    await tollgate.stop();
  }
}

Deno.test("checkpassword server: LOGIN, PLAIN and CRAM-MD5 (vchkpw order) through a real checker", async () => {
  const env = { TOLLGATE_CHECKPASSWORD: `${CHECKER} --cram=response-first /bin/true` };
  await withServer(env, async (port) => {
    for (const mechanism of ["LOGIN", "PLAIN", "CRAM-MD5"] as const) {
      deepEqual(await authenticate(port, { mechanism, user: USER, password: "testing" }), {
        offered: ["LOGIN", "CRAM-MD5", "PLAIN"],
        auth: 235,
        relay: 250,
      }, mechanism);
      const wrong = await authenticate(port, { mechanism, user: USER, password: "Testing" });
      deepEqual([wrong.auth, wrong.relay], [535, 553], mechanism);
    }
  });
});

Deno.test("checkpassword server: CRAM-MD5 in qmail-smtpd-auth 0.31's order, and a wrong order refuses", async () => {
  const cram = { mechanism: "CRAM-MD5", user: USER, password: "testing" } as const;
  await withServer({
    TOLLGATE_CHECKPASSWORD: `${CHECKER} --cram=challenge-first /bin/true`,
    TOLLGATE_CHECKPASSWORD_CRAM: "challenge-first",
  }, async (port) => {
    deepEqual((await authenticate(port, cram)).auth, 235);
  });
  await withServer({
    TOLLGATE_CHECKPASSWORD: `${CHECKER} --cram=challenge-first /bin/true`,
  }, async (port) => {
    deepEqual((await authenticate(port, cram)).auth, 535);
  });
});

Deno.test("checkpassword server: missing, crashing, hanging checkers give 454 and no relaying", async () => {
  const login = { mechanism: "LOGIN", user: USER, password: "testing" } as const;
  const broken: Record<string, string>[] = [
    { TOLLGATE_CHECKPASSWORD: "/nonexistent/vchkpw /bin/true" },
    { TOLLGATE_CHECKPASSWORD: `${CHECKER} --mode=crash /bin/true` },
    { TOLLGATE_CHECKPASSWORD: `${CHECKER} --mode=hang /bin/true`, TOLLGATE_AUTH_TIMEOUT_MS: "300" },
    { TOLLGATE_CHECKPASSWORD: `${CHECKER} --mode=temporary /bin/true` },
  ];
  for (const env of broken) {
    await withServer(env, async (port) => {
      deepEqual(await authenticate(port, login), {
        offered: ["LOGIN", "CRAM-MD5", "PLAIN"],
        auth: 454,
        relay: 553,
      }, env.TOLLGATE_CHECKPASSWORD);
    });
  }
});

Deno.test("checkpassword server: a checker whose subprogram is wrong never lets a client relay", async () => {
  // qmail-smtpd-auth 0.31 accepted everyone when its checkpassword arguments were wrong.
  const login = { mechanism: "PLAIN", user: USER, password: "testing" } as const;
  for (const subprogram of ["/bin/false", "/nonexistent/true"]) {
    await withServer({ TOLLGATE_CHECKPASSWORD: `${CHECKER} ${subprogram}` }, async (port) => {
      const attempt = await authenticate(port, login);
      deepEqual([attempt.auth, attempt.relay], [535, 553], subprogram);
    });
  }
});
