import { deepEqual, equal, match, rejects } from "node:assert/strict";
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import { type LegacyScheme, readPasswordHash, verifyLegacyHash } from "../auth/legacy_hashes.ts";
import { UserStoreVerifier } from "../auth/store_verifier.ts";
import { nodeCrypt } from "../runtime/deno/legacy_crypt.ts";
import { MemoryUserStore } from "../store/memory/stores.ts";
import { createFastKdf } from "./_auth_fast_kdf.ts";

interface Vector {
  command: string;
  password: string;
  hash: string;
}

const FIXTURE = new URL("./fixtures/credentials/hashes.json", import.meta.url);
const { vectors } = JSON.parse(await Deno.readTextFile(FIXTURE)) as { vectors: Vector[] };

/** The scheme each tool's output must be read as. */
function expectedScheme(vector: Vector): LegacyScheme {
  const { command, hash } = vector;
  if (command.includes("ARGON2ID")) return "ARGON2ID";
  if (command.includes("CRAM-MD5")) return "CRAM-MD5";
  if (/bcrypt|BLF-CRYPT/.test(command)) return "BLF-CRYPT";
  const id = /\$([156])\$/.exec(hash)![1];
  return ({ "1": "MD5-CRYPT", "5": "SHA256-CRYPT", "6": "SHA512-CRYPT" } as const)[id as "1"];
}

Deno.test("legacy hashes: the fixtures cover every format the issue lists", () => {
  const prefixes = new Set(
    vectors.map((vector) => /^(\{[A-Z0-9-]+\}|\$\w+\$)/.exec(vector.hash)![1]),
  );
  for (const wanted of ["$1$", "$5$", "$6$", "$2y$", "$2b$", "{SHA512-CRYPT}", "{BLF-CRYPT}"]) {
    equal(prefixes.has(wanted) || vectors.some((v) => v.hash.includes(wanted)), true, wanted);
  }
  for (const wanted of ["{ARGON2ID}", "{CRAM-MD5}", "{MD5-CRYPT}", "{SHA256-CRYPT}"]) {
    equal(prefixes.has(wanted), true, wanted);
  }
});

for (const vector of vectors) {
  const scheme = expectedScheme(vector);
  Deno.test(`legacy hashes: ${vector.command} verifies`, async () => {
    const read = readPasswordHash(vector.hash);
    if (read.kind !== "legacy") throw new Error(`not read as legacy: ${JSON.stringify(read)}`);
    equal(read.hash.scheme, scheme);
    equal(await verifyLegacyHash(vector.password, read.hash, { crypt: nodeCrypt }), true);
    // Argon2id costs ~3 s a run in pure JS: one wrong-password check for it is enough.
    if (scheme !== "ARGON2ID" || vector.password === "testing") {
      equal(await verifyLegacyHash(`${vector.password}x`, read.hash, { crypt: nodeCrypt }), false);
    }
  });
}

Deno.test("legacy hashes: shapes that are not what their prefix says are invalid", () => {
  const md5Crypt = vectors.find((vector) => vector.hash.startsWith("$1$"))!.hash;
  const cases: [string, RegExp][] = [
    ["{PLAIN}testing", /unsupported scheme \{PLAIN\}/],
    [`{SHA512-CRYPT}${md5Crypt}`, /not a \{SHA512-CRYPT\} hash/],
    ["{CRAM-MD5}abc", /not a \{CRAM-MD5\} hash/],
    ["0".repeat(64), /not a known hash format/],
    ["$1$salt$short", /not a known hash format/],
    ["testing", /not a known hash format/],
    [`$argon2id$v=19$m=9999999,t=3,p=1$${"A".repeat(22)}$${"A".repeat(43)}`, /Argon2 cost/],
    [`$argon2id$v=19$m=65536,t=0,p=1$${"A".repeat(22)}$${"A".repeat(43)}`, /Argon2 cost/],
  ];
  for (const [text, reason] of cases) {
    const read = readPasswordHash(text);
    equal(read.kind, "invalid", text);
    if (read.kind === "invalid") match(read.reason, reason);
  }
  deepEqual(readPasswordHash(`$scrypt$ln=15,r=8,p=1$x$y`), {
    kind: "scrypt",
    phc: "$scrypt$ln=15,r=8,p=1$x$y",
  });
});

Deno.test("legacy hashes: {CRYPT} and {HMAC-MD5} name the schemes their value has", () => {
  const sha256 = vectors.find((vector) => vector.hash.startsWith("$5$"))!.hash;
  const read = readPasswordHash(`{crypt}${sha256}`);
  deepEqual(read, { kind: "legacy", hash: { scheme: "SHA256-CRYPT", value: sha256 } });
  const upper = "A".repeat(64);
  deepEqual(readPasswordHash(`{HMAC-MD5}${upper}`), {
    kind: "legacy",
    hash: { scheme: "CRAM-MD5", value: "a".repeat(64) },
  });
});

Deno.test("legacy hashes: a crypt(3) hash without a crypt function throws, never matches", async () => {
  const vector = vectors.find((candidate) => candidate.hash.startsWith("$6$"))!;
  const read = readPasswordHash(vector.hash);
  if (read.kind !== "legacy") throw new Error("not legacy");
  await rejects(verifyLegacyHash(vector.password, read.hash), /no crypt\(3\) implementation/);
});

function vectorFor(command: string): Vector {
  return vectors.find((vector) => vector.command.startsWith(command))!;
}

async function importedUser(hash: string, options: { cramMd5Enabled: boolean }) {
  const users = new MemoryUserStore();
  const record = readPasswordHash(hash);
  const cram = record.kind === "legacy" && record.hash.scheme === "CRAM-MD5";
  await users.put({
    address: "test@domain.de",
    passwordHash: hash,
    ...(cram ? { cramMd5Secret: record.hash.value } : {}),
    updatedAt: 7,
  });
  const fast = createFastKdf();
  const verifier = new UserStoreVerifier(users, { ...options, kdf: fast.kdf, crypt: nodeCrypt });
  return { users, verifier, calls: fast.calls };
}

const login = (password: string) => ({
  kind: "password" as const,
  mechanism: "LOGIN" as const,
  username: "test@domain.de",
  password,
});

Deno.test("legacy hashes: the first login upgrades to scrypt, and the password still works", async () => {
  const vector = vectorFor("openssl passwd -6 'testing'");
  const { users, verifier } = await importedUser(vector.hash, { cramMd5Enabled: true });
  deepEqual(await verifier.verify(login("wrong")), { kind: "rejected" });
  equal((await users.get("test@domain.de"))?.passwordHash, vector.hash);
  deepEqual(await verifier.verify(login("testing")), { kind: "accepted", user: "test@domain.de" });
  const upgraded = (await users.get("test@domain.de"))!;
  match(upgraded.passwordHash, /^\$scrypt\$ln=15,r=8,p=1\$/);
  match(upgraded.cramMd5Secret ?? "", /^[0-9a-f]{64}$/);
  equal(upgraded.updatedAt, 7);
  deepEqual(await verifier.verify(login("testing")), { kind: "accepted", user: "test@domain.de" });
  deepEqual(await verifier.verify(login("wrong")), { kind: "rejected" });
});

Deno.test("legacy hashes: a {CRAM-MD5} import answers CRAM-MD5 and PLAIN, then upgrades", async () => {
  const vector = vectorFor("doveadm pw -s CRAM-MD5 -p 'testing'");
  const { users, verifier } = await importedUser(vector.hash, { cramMd5Enabled: true });
  const challenge = "<1.2@mail.domain.de>";
  const digest = hmac(
    md5,
    new TextEncoder().encode("testing"),
    new TextEncoder().encode(challenge),
  );
  const cram = {
    kind: "cram-md5" as const,
    mechanism: "CRAM-MD5" as const,
    username: "test@domain.de",
    challenge,
    digest: digest.toHex(),
  };
  deepEqual(await verifier.verify(cram), { kind: "accepted", user: "test@domain.de" });
  equal((await users.get("test@domain.de"))?.passwordHash, vector.hash);
  deepEqual(await verifier.verify(login("testing")), { kind: "accepted", user: "test@domain.de" });
  match((await users.get("test@domain.de"))!.passwordHash, /^\$scrypt\$/);
  deepEqual(await verifier.verify(cram), { kind: "accepted", user: "test@domain.de" });
});

Deno.test("legacy hashes: with CRAM-MD5 off the upgrade drops an imported CRAM-MD5 secret", async () => {
  const vector = vectorFor("doveadm pw -s CRAM-MD5 -p 'testing'");
  const { users, verifier } = await importedUser(vector.hash, { cramMd5Enabled: false });
  deepEqual(await verifier.verify(login("testing")), { kind: "accepted", user: "test@domain.de" });
  equal((await users.get("test@domain.de"))?.cramMd5Secret, undefined);
});

Deno.test("legacy hashes: an upgrade does not overwrite a password changed meanwhile", async () => {
  const vector = vectorFor("mkpasswd -m bcrypt -R 5 'testing'");
  const { users, verifier } = await importedUser(vector.hash, { cramMd5Enabled: false });
  const changed = { address: "test@domain.de", passwordHash: "$scrypt$changed", updatedAt: 9 };
  const racing = Object.create(users) as MemoryUserStore;
  let reads = 0;
  racing.get = (address) => ++reads === 1 ? users.get(address) : Promise.resolve(changed);
  const raced = new UserStoreVerifier(racing, { cramMd5Enabled: false, kdf: createFastKdf().kdf });
  deepEqual(await raced.verify(login("testing")), { kind: "accepted", user: "test@domain.de" });
  equal((await users.get("test@domain.de"))?.passwordHash, vector.hash);
  equal(reads, 2);
  deepEqual(await verifier.verify(login("testing")), { kind: "accepted", user: "test@domain.de" });
});

Deno.test("legacy hashes: an imported crypt(3) hash without crypt is a temporary failure", async () => {
  const vector = vectorFor("openssl passwd -1 'testing'");
  const users = new MemoryUserStore();
  await users.put({ address: "test@domain.de", passwordHash: vector.hash, updatedAt: 0 });
  const verifier = new UserStoreVerifier(users, { cramMd5Enabled: false });
  const result = await verifier.verify(login("testing"));
  equal(result.kind, "temporary-failure");
});
