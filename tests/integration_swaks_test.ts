import { deepEqual, equal, match } from "node:assert/strict";
import {
  addLocalUser,
  allowSender,
  listQueue,
  type RunningTollgate,
  startTollgate,
} from "./_server.ts";

const USER = { address: "test@domain.de", password: "testing" };
/** swaks(1) EXIT CODES. */
const SWAKS_OK = 0;
const SWAKS_NO_RCPT_ACCEPTED = 24;
const SWAKS_AUTH_ERROR = 28;

async function swaks(
  tollgate: RunningTollgate,
  args: string[],
): Promise<{ code: number; transcript: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("swaks", {
      args: ["--server", `127.0.0.1:${tollgate.smtpPort}`, "--helo", "client.test", ...args],
      stdin: "null",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error("swaks is missing: install it (apt-get install -y swaks)");
    }
    throw error;
  }
  const decoder = new TextDecoder();
  return {
    code: output.code,
    transcript: decoder.decode(output.stdout) + decoder.decode(output.stderr),
  };
}

function authArgs(mechanism: string, password: string): string[] {
  return ["--auth", mechanism, "--auth-user", USER.address, "--auth-password", password];
}

Deno.test("swaks authenticates, relays, and fails with the documented exit codes", async (t) => {
  const tollgate = await startTollgate();
  try {
    await addLocalUser(tollgate, USER);
    // Each mechanism sends as its own address in domain.de, granted to the user.
    await allowSender(tollgate, { user: USER.address, sender: "@domain.de" });
    for (const mechanism of ["LOGIN", "PLAIN", "CRAM-MD5"]) {
      await t.step(`--auth ${mechanism} relays to example.net`, async () => {
        const sender = `swaks-${mechanism.toLowerCase()}@domain.de`;
        const result = await swaks(tollgate, [
          ...authArgs(mechanism, USER.password),
          "--from",
          sender,
          "--to",
          "someone@example.net",
        ]);
        equal(result.code, SWAKS_OK, result.transcript);
        match(result.transcript, /^<-\s+235 /m);
        const queued = (await listQueue(tollgate)).filter((message) => message.from === sender);
        equal(queued.length, 1);
        deepEqual(queued[0].to, ["someone@example.net"]);
        equal(queued[0].authUser, USER.address);
      });
      await t.step(
        `--auth ${mechanism} with a wrong password exits ${SWAKS_AUTH_ERROR}`,
        async () => {
          const result = await swaks(tollgate, [
            ...authArgs(mechanism, "wrong"),
            "--from",
            "wrong-password@domain.de",
            "--to",
            "someone@example.net",
          ]);
          equal(result.code, SWAKS_AUTH_ERROR, result.transcript);
          match(result.transcript, /^<\*\*\s+535[ -]/m);
        },
      );
    }
    await t.step("without AUTH, relaying exits 24 with 553", async () => {
      const result = await swaks(tollgate, [
        "--from",
        "stranger@example.net",
        "--to",
        "someone@example.net",
      ]);
      equal(result.code, SWAKS_NO_RCPT_ACCEPTED, result.transcript);
      match(result.transcript, /^<\*\*\s+553[ -]/m);
    });
    await t.step("without AUTH, mail for a local user is accepted", async () => {
      const result = await swaks(tollgate, [
        "--from",
        "stranger@example.net",
        "--to",
        USER.address,
      ]);
      equal(result.code, SWAKS_OK, result.transcript);
      const queued = (await listQueue(tollgate)).filter((message) =>
        message.from === "stranger@example.net"
      );
      equal(queued.length, 1);
      deepEqual(queued[0].to, [USER.address]);
      equal(queued[0].authUser, null);
    });
    await t.step("nothing refused was queued", async () => {
      const senders = (await listQueue(tollgate)).map((message) => message.from);
      equal(senders.includes("wrong-password@domain.de"), false);
      equal(senders.filter((sender) => sender === "stranger@example.net").length, 1);
    });
  } finally {
    await tollgate.stop();
  }
});
