import { deepEqual, equal, match } from "node:assert/strict";
import { KvUserStore } from "../store/kv/kv_stores.ts";
import { adminFixture, call, NOW } from "./_admin_fixture.ts";
import { startTollgate } from "./_server.ts";
import { authenticate } from "./_smtp_auth.ts";

const FIXTURE = new URL("./fixtures/credentials/hashes.json", import.meta.url);
const { vectors } = JSON.parse(await Deno.readTextFile(FIXTURE)) as {
  vectors: { command: string; password: string; hash: string }[];
};
const hashOf = (command: string) => vectors.find((vector) => vector.command === command)!.hash;

/** One user per format the issue lists, all with password "testing". */
const FORMATS: Record<string, string> = {
  "md5crypt": hashOf("openssl passwd -1 'testing'"),
  "sha256crypt": hashOf("openssl passwd -5 'testing'"),
  "sha512crypt": hashOf("openssl passwd -6 'testing'"),
  "bcrypt2b": hashOf("mkpasswd -m bcrypt -R 5 'testing'"),
  "bcrypt2y": hashOf("doveadm pw -s BLF-CRYPT -p 'testing'").replace("{BLF-CRYPT}", ""),
  "dovecot-sha512": hashOf("doveadm pw -s SHA512-CRYPT -p 'testing'"),
  "dovecot-blf": hashOf("doveadm pw -s BLF-CRYPT -p 'testing'"),
  "dovecot-argon2id": hashOf("doveadm pw -s ARGON2ID -r 1 -p 'testing'"),
  "dovecot-cram": hashOf("doveadm pw -s CRAM-MD5 -p 'testing'"),
};

Deno.test("import: PUT with passwordHash stores the hash as given, never echoing it", async () => {
  const { app, stores, logs } = adminFixture();
  for (const [name, hash] of Object.entries(FORMATS)) {
    const response = await call(app, `PUT /api/users/${name}@domain.de`, {
      json: { passwordHash: hash },
    });
    equal(response.status, 201, response.text);
    deepEqual(response.body, {
      address: `${name}@domain.de`,
      updatedAt: new Date(NOW).toISOString(),
      cramMd5: name === "dovecot-cram",
    });
    const stored = await stores.users.get(`${name}@domain.de`);
    equal(stored?.passwordHash, hash);
    equal(response.text.includes(hash.slice(-20)), false);
  }
  equal(logs.some((line) => line.includes("imported SHA512-CRYPT hash")), true);
  equal(logs.some((line) => Object.values(FORMATS).some((hash) => line.includes(hash))), false);
});

Deno.test("import: PUT refuses an unknown hash, and both or neither field", async () => {
  const { app, stores } = adminFixture();
  const cases: [unknown, number, RegExp][] = [
    [{ passwordHash: "{PLAIN}testing" }, 400, /^passwordHash: unsupported scheme \{PLAIN\}$/],
    [{ passwordHash: "$1$abc$short" }, 400, /^passwordHash: not a known hash format$/],
    [{ passwordHash: "$scrypt$ln=99,r=8,p=1$AAAA$AAAA" }, 400, /^passwordHash: /],
    [{ password: "testing", passwordHash: FORMATS.md5crypt }, 400, /not both/],
    [{}, 400, /missing field "password"/],
  ];
  for (const [json, status, error] of cases) {
    const response = await call(app, "PUT /api/users/test@domain.de", { json });
    equal(response.status, status, response.text);
    match(response.body.error, error);
  }
  equal(await stores.users.get("test@domain.de"), undefined);
});

const PASSWD_FILE = [
  "# Dovecot passwd-file",
  `alice@domain.de:${FORMATS["dovecot-sha512"]}:1000:1000::/home/alice::`,
  `bob:${FORMATS.md5crypt}::::::`,
  "",
  "carol@domain.de:{PLAIN}secret::::::",
  "broken-line",
  `alice@domain.de:${FORMATS["dovecot-blf"]}::::::`,
  "dave@domain.de:::::::",
].join("\n");

Deno.test("import: a Dovecot passwd-file, with each unreadable line reported by number", async () => {
  const { app, stores, logs } = adminFixture();
  const response = await call(app, "POST /api/users/import?format=passwd-file&domain=Domain.de", {
    body: PASSWD_FILE,
    contentType: "text/plain",
  });
  equal(response.status, 200, response.text);
  deepEqual(response.body, {
    imported: 2,
    created: 2,
    updated: 0,
    errors: [
      { line: 5, error: "passwordHash: unsupported scheme {PLAIN}" },
      { line: 6, error: "expected name:hash[:...]" },
      { line: 7, error: "alice@domain.de is already on line 2" },
      { line: 8, error: "expected name:hash[:...]" },
    ],
  });
  equal((await stores.users.get("alice@domain.de"))?.passwordHash, FORMATS["dovecot-sha512"]);
  equal((await stores.users.get("bob@domain.de"))?.passwordHash, FORMATS.md5crypt);
  deepEqual(
    logs.at(-1),
    "admin: imported 2 users from a passwd-file (2 created, 0 updated, 4 lines refused)",
  );
});

Deno.test("import: a vpopmail vpasswd file needs its domain; its clear-text field is ignored", async () => {
  const { app, stores } = adminFixture();
  const vpasswd =
    `test:${FORMATS.md5crypt}:1:0:Test User:/home/vpopmail/domains/domain.de/test:NOQUOTA:testing\n`;
  const missing = await call(app, "POST /api/users/import?format=vpasswd", { body: vpasswd });
  equal(missing.status, 400);
  const response = await call(app, "POST /api/users/import?format=vpasswd&domain=domain.de", {
    body: vpasswd,
  });
  deepEqual(response.body, { imported: 1, created: 1, updated: 0, errors: [] });
  const stored = await stores.users.get("test@domain.de");
  equal(stored?.passwordHash, FORMATS.md5crypt);
  equal(JSON.stringify(stored).includes(":testing"), false);
  const unknown = await call(app, "POST /api/users/import?format=shadow", { body: vpasswd });
  equal(unknown.status, 400);
});

Deno.test("import: every listed format logs in through SMTP and is upgraded to scrypt", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tollgate-import-" });
  try {
    const tollgate = await startTollgate({ dataDir, env: { TOLLGATE_AUTH_FAILURE_DELAY_MS: "0" } });
    try {
      const file = Object.entries(FORMATS).map(([name, hash]) => `${name}@domain.de:${hash}::::::`);
      const response = await fetch(`${tollgate.adminUrl}/api/users/import?format=passwd-file`, {
        method: "POST",
        headers: { authorization: `Bearer ${tollgate.token}`, "content-type": "text/plain" },
        body: file.join("\n"),
      });
      const result = await response.json() as { imported: number; errors: unknown[] };
      deepEqual([result.imported, result.errors], [Object.keys(FORMATS).length, []]);
      const cram = {
        mechanism: "CRAM-MD5",
        user: "dovecot-cram@domain.de",
        password: "testing",
      } as const;
      equal((await authenticate(tollgate.smtpPort, cram)).auth, 235);
      for (const name of Object.keys(FORMATS)) {
        const login = {
          mechanism: "LOGIN",
          user: `${name}@domain.de`,
          password: "testing",
        } as const;
        deepEqual(await authenticate(tollgate.smtpPort, login), {
          offered: ["LOGIN", "CRAM-MD5", "PLAIN"],
          auth: 235,
          relay: 250,
        }, name);
      }
      equal((await authenticate(tollgate.smtpPort, cram)).auth, 235);
    } finally {
      await tollgate.stop();
    }
    const kv = await Deno.openKv(`${dataDir}/tollgate.kv`);
    try {
      const users = new KvUserStore(kv);
      for (const name of Object.keys(FORMATS)) {
        const user = await users.get(`${name}@domain.de`);
        match(user?.passwordHash ?? "", /^\$scrypt\$ln=15,r=8,p=1\$/, name);
        match(user?.cramMd5Secret ?? "", /^[0-9a-f]{64}$/, name);
      }
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
