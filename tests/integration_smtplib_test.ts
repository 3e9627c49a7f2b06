import { deepEqual, equal } from "node:assert/strict";
import {
  addLocalUser,
  allowSender,
  listQueue,
  type RunningTollgate,
  startTollgate,
} from "./_server.ts";

const USER = { address: "test@domain.de", password: "testing" };
const SCRIPT = new URL("./fixtures/smtplib_client.py", import.meta.url).pathname;

interface SmtplibResult {
  auth_offered: string[];
  login?: number;
  refused?: Record<string, [number, string]>;
  recipients_refused?: Record<string, [number, string]>;
}

async function runSmtplib(tollgate: RunningTollgate, args: string[]): Promise<SmtplibResult> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("python3", {
      args: [SCRIPT, String(tollgate.smtpPort), ...args],
      stdin: "null",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error("python3 is missing: install it (apt-get install -y python3)");
    }
    throw error;
  }
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  equal(output.code, 0, `smtplib client failed:\n${stdout}${stderr}`);
  return JSON.parse(stdout);
}

Deno.test("Python smtplib logs in, relays, and is refused relaying without AUTH", async (t) => {
  const tollgate = await startTollgate();
  try {
    await addLocalUser(tollgate, USER);
    // Each mechanism sends as its own address in domain.de, granted to the user.
    await allowSender(tollgate, { user: USER.address, sender: "@domain.de" });
    for (const mechanism of ["auto", "PLAIN", "LOGIN", "CRAM-MD5"]) {
      await t.step(`login() with ${mechanism} then send to example.net`, async () => {
        const result = await runSmtplib(tollgate, [
          "send-authenticated",
          USER.address,
          USER.password,
          mechanism,
        ]);
        equal(result.login, 235);
        deepEqual(result.refused, {});
        const sender = `${mechanism.toLowerCase()}@domain.de`;
        const queued = (await listQueue(tollgate)).filter((message) => message.from === sender);
        equal(queued.length, 1);
        deepEqual(queued[0].to, ["someone@example.net"]);
        equal(queued[0].authUser, USER.address);
      });
    }
    await t.step("login() with a wrong password gets 535", async () => {
      const result = await runSmtplib(tollgate, [
        "send-authenticated",
        USER.address,
        "wrong",
        "auto",
      ]);
      equal(result.login, 535);
    });
    await t.step("relay without login raises SMTPRecipientsRefused with 553", async () => {
      const result = await runSmtplib(tollgate, ["send-unauthenticated"]);
      deepEqual(Object.keys(result.recipients_refused ?? {}), ["someone@example.net"]);
      equal(result.recipients_refused?.["someone@example.net"][0], 553);
      const queued = await listQueue(tollgate);
      equal(queued.some((message) => message.from === "stranger@example.net"), false);
    });
  } finally {
    await tollgate.stop();
  }
});
