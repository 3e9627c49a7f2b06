/**
 * Logs on a real Tollgate process: `TOLLGATE_LOG_FORMAT=json` gives one JSON object per
 * line with the stable fields, and in both formats no password, AUTH blob or admin token
 * ever appears after AUTH with a password and admin calls with the token.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { submitMessage } from "./_ops_traffic.ts";
import { authenticate } from "./_smtp_auth.ts";
import { addLocalUser, type RunningTollgate, startTollgate } from "./_server.ts";

const PASSWORD = "S3cret-pa55word-xyzzy";
const WRONG = "Wr0ng-guess-plugh";
const SENDER = { address: "test@domain.de", password: PASSWORD };
const FIELDS = [
  "time",
  "level",
  "component",
  "event",
  "queueId",
  "clientAddress",
  "user",
  "recipient",
  "route",
  "reply",
  "message",
];

/** Sets a user's password over the admin API, logs in right and wrong, queues one message. */
async function traffic(tollgate: RunningTollgate): Promise<void> {
  await addLocalUser(tollgate, SENDER);
  equal(
    (await authenticate(tollgate.smtpPort, {
      mechanism: "LOGIN",
      user: SENDER.address,
      password: WRONG,
    })).auth,
    535,
  );
  await submitMessage(tollgate, SENDER, "friend@example.net");
  const response = await tollgate.admin("GET", "/api/queue");
  equal(response.status, 200);
  await response.body?.cancel();
}

function assertNoSecret(output: string, token: string): void {
  const b64 = (text: string) => new TextEncoder().encode(text).toBase64();
  const secrets = [
    PASSWORD,
    WRONG,
    token,
    b64(PASSWORD),
    b64(WRONG),
    b64(`\0${SENDER.address}\0${PASSWORD}`),
  ];
  for (const secret of secrets) equal(output.includes(secret), false, `secret in the log`);
}

const SETTINGS = { TOLLGATE_DELIVERY: "off", TOLLGATE_AUTH_FAILURE_DELAY_MS: "0" };

/** Runs {@linkcode traffic} through a Tollgate with `env`; its output, checked for secrets. */
async function loggedTraffic(env: Record<string, string>): Promise<string> {
  const tollgate = await startTollgate({ env: { ...SETTINGS, ...env } });
  try {
    await traffic(tollgate);
  } finally {
    await tollgate.stop();
  }
  assertNoSecret(tollgate.output(), tollgate.token);
  return tollgate.output();
}

Deno.test("logs: TOLLGATE_LOG_FORMAT=json writes one object per line, no secret", async () => {
  const output = await loggedTraffic({ TOLLGATE_LOG_FORMAT: "json" });
  const records = output.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
  for (const record of records) deepEqual(Object.keys(record), FIELDS);
  const queued = records.find((record) => record.event === "queued");
  ok(queued, "a queued record");
  equal(queued.component, "smtp");
  equal(queued.clientAddress, "127.0.0.1");
  equal(queued.user, SENDER.address);
  ok(/^[0-9a-f]{20}$/.test(queued.queueId));
  const failed = records.find((record) => record.event === "auth-failed");
  deepEqual([failed.level, failed.clientAddress, failed.user], [
    "warn",
    "127.0.0.1",
    SENDER.address,
  ]);
  const audit = records.find((record) => record.event === "audit");
  equal(audit.clientAddress, "127.0.0.1");
  ok(records.some((record) => record.event === "auth-ok" && record.user === SENDER.address));
});

Deno.test("logs: the default text format has no secret either", async () => {
  const output = await loggedTraffic({});
  ok(/^\d{4}-\d\d-\d\dT\S+Z smtp \S+ queued [0-9a-f]{20}/m.test(output));
});
