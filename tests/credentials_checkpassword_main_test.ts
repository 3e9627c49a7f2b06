import { deepEqual, equal, match } from "node:assert/strict";
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import { createUserSecrets } from "../auth/user_secrets.ts";
import { runChecker } from "../runtime/deno/checkpassword_runner.ts";
import { DovecotVerifier } from "../runtime/deno/dovecot_client.ts";
import { KvUserStore } from "../store/kv/kv_stores.ts";
import { startDovecot } from "./_dovecot.ts";
import { addLocalUser, startTollgate, taskFlags } from "./_server.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const MAIN = `${ROOT}runtime/deno/checkpassword_main.ts`;
const FIXTURE = new URL("./fixtures/credentials/hashes.json", import.meta.url);
const { vectors } = JSON.parse(await Deno.readTextFile(FIXTURE)) as {
  vectors: { command: string; hash: string }[];
};
const SHA512_CRYPT = vectors.find((v) => v.command === "openssl passwd -6 'testing'")!.hash;
const encoder = new TextEncoder();

/** A data folder whose KV holds test@domain.de (scrypt + CRAM-MD5 secret) and legacy@domain.de ($6$). */
async function dataDirWithUsers(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "tollgate-checkpassword-" });
  const kv = await Deno.openKv(`${dir}/tollgate.kv`);
  const users = new KvUserStore(kv);
  const secrets = await createUserSecrets("testing", {
    cramMd5: true,
    cost: { ln: 4, r: 8, p: 1 },
  });
  await users.put({ address: "test@domain.de", ...secrets, updatedAt: 0 });
  await users.put({ address: "legacy@domain.de", passwordHash: SHA512_CRYPT, updatedAt: 0 });
  kv.close();
  return dir;
}

async function check(dataDir: string, fields: string[], subprogram = ["/bin/true"]) {
  const payload = encoder.encode(fields.map((field) => `${field}\0`).join(""));
  const command = [
    "/usr/bin/env",
    `TOLLGATE_DATA=${dataDir}`,
    Deno.execPath(),
    "run",
    // As `deno task checkpassword` runs it (its flags include --quiet).
    ...taskFlags("checkpassword").permissions,
    ...taskFlags("checkpassword").runtime,
    `--config=${ROOT}deno.json`,
    MAIN,
    ...subprogram,
  ];
  return await runChecker(command, payload, { timeoutMs: 30_000 });
}

const exited = (code: number) => ({ kind: "exited", code });
const digest = (password: string, challenge: string) =>
  hmac(md5, encoder.encode(password), encoder.encode(challenge)).toHex();

Deno.test("checkpassword entry point: passwords against the user store, with checkpassword's exit codes", async () => {
  const dataDir = await dataDirWithUsers();
  try {
    deepEqual(await check(dataDir, ["test@domain.de", "testing", ""]), exited(0));
    deepEqual(await check(dataDir, ["Test@Domain.de", "testing", "<123.456@pop.host>"]), exited(0));
    deepEqual(await check(dataDir, ["test@domain.de", "wrong", ""]), exited(1));
    deepEqual(await check(dataDir, ["nobody@domain.de", "testing", ""]), exited(1));
    deepEqual(await check(dataDir, ["test@domain.de", "testing", ""], []), exited(2));
    deepEqual(await check(dataDir, ["test@domain.de", "testing", ""], ["/bin/false"]), exited(1));
    const userIs = ["/bin/sh", "-c", 'test "$USER" = test@domain.de'];
    deepEqual(await check(dataDir, ["TEST@domain.de", "testing", ""], userIs), exited(0));
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("checkpassword entry point: CRAM-MD5 answers in either field order", async () => {
  const dataDir = await dataDirWithUsers();
  try {
    const challenge = "<0123.1028301386@mail.domain.de>";
    const answer = digest("testing", challenge);
    deepEqual(await check(dataDir, ["test@domain.de", answer, challenge]), exited(0));
    deepEqual(await check(dataDir, ["test@domain.de", challenge, answer]), exited(0));
    deepEqual(
      await check(dataDir, ["test@domain.de", digest("x", challenge), challenge]),
      exited(1),
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("checkpassword entry point: an imported hash logs in and is upgraded", async () => {
  const dataDir = await dataDirWithUsers();
  try {
    deepEqual(await check(dataDir, ["legacy@domain.de", "wrong", ""]), exited(1));
    deepEqual(await check(dataDir, ["legacy@domain.de", "testing", ""]), exited(0));
    const kv = await Deno.openKv(`${dataDir}/tollgate.kv`);
    const upgraded = await new KvUserStore(kv).get("legacy@domain.de");
    kv.close();
    match(upgraded?.passwordHash ?? "", /^\$scrypt\$ln=15,/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("checkpassword entry point: an unreadable data folder is a temporary failure (111)", async () => {
  deepEqual(await check("/nonexistent/tollgate", ["test@domain.de", "testing", ""]), exited(111));
});

Deno.test("checkpassword entry point: Dovecot's passdb checks users through it against a running Tollgate", async () => {
  const tollgate = await startTollgate();
  const wrapper = await Deno.makeTempFile({ prefix: "tollgate-checkpassword-", suffix: ".sh" });
  try {
    await addLocalUser(tollgate, { address: "test@domain.de", password: "testing" });
    // Dovecot runs checkpassword programs with an empty environment and one path.
    await Deno.writeTextFile(
      wrapper,
      [
        "#!/bin/sh",
        `export HOME='${Deno.env.get("HOME")}' TOLLGATE_DATA='${tollgate.dataDir}' NO_COLOR=1`,
        `exec '${Deno.execPath()}' run -A --quiet --config='${ROOT}deno.json' '${MAIN}' "$@"`,
      ].join("\n") + "\n",
    );
    await Deno.chmod(wrapper, 0o755);
    const dovecot = await startDovecot({ kind: "checkpassword", program: wrapper });
    try {
      const verifier = new DovecotVerifier({ path: dovecot.socketPath }, { timeoutMs: 30_000 });
      const login = (password: string) =>
        ({ kind: "password", mechanism: "PLAIN", username: "test@domain.de", password }) as const;
      deepEqual(await verifier.verify(login("testing")), {
        kind: "accepted",
        user: "test@domain.de",
      }, await dovecot.log());
      deepEqual(await verifier.verify(login("wrong")), { kind: "rejected" });
      equal((await dovecot.log()).includes("checkpassword"), true);
    } finally {
      await dovecot.stop();
    }
  } finally {
    await Deno.remove(wrapper);
    await tollgate.stop();
  }
});
