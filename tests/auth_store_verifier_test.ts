import { deepEqual, equal, match } from "node:assert/strict";
import { hmac } from "@noble/hashes/hmac.js";
import { md5 } from "@noble/hashes/legacy.js";
import type { Credentials } from "../auth/credentials.ts";
import { UserStoreVerifier } from "../auth/store_verifier.ts";
import { createUserSecrets } from "../auth/user_secrets.ts";
import { MemoryUserStore } from "../store/memory/stores.ts";
import type { UserStore } from "../store/types.ts";
import { createFastKdf } from "./_auth_fast_kdf.ts";

const CHALLENGE = "<a0a1a2a3a4a5a6a7.1028301386@mail.domain.de>";
const encoder = new TextEncoder();

function password(
  username: string,
  secret: string,
  mechanism: "PLAIN" | "LOGIN" = "PLAIN",
): Credentials {
  return { kind: "password", mechanism, username, password: secret };
}

function cram(username: string, secret: string, challenge = CHALLENGE): Credentials {
  const digest = hmac(md5, encoder.encode(secret), encoder.encode(challenge)).toHex();
  return { kind: "cram-md5", mechanism: "CRAM-MD5", username, challenge, digest };
}

async function setup(options: { cramMd5Secret: boolean }) {
  const fast = createFastKdf();
  const users = new MemoryUserStore();
  const secrets = await createUserSecrets("testing", {
    cramMd5: options.cramMd5Secret,
    kdf: fast.kdf,
  });
  await users.put({ address: "test@domain.de", ...secrets, updatedAt: 0 });
  fast.calls.length = 0;
  return { users, ...fast };
}

/** A store whose every method throws, as a store that is down does. */
const brokenStore: UserStore = {
  get: () => Promise.reject(new Error("connection refused")),
  put: () => Promise.reject(new Error("connection refused")),
  remove: () => Promise.reject(new Error("connection refused")),
  list: () => Promise.reject(new Error("connection refused")),
};

Deno.test("verifier: the right password is accepted as the stored address", async () => {
  const { users, kdf } = await setup({ cramMd5Secret: false });
  const verifier = new UserStoreVerifier(users, { kdf, cramMd5Enabled: false });
  deepEqual(await verifier.verify(password("test@domain.de", "testing")), {
    kind: "accepted",
    user: "test@domain.de",
  });
  deepEqual(await verifier.verify(password("  Test@Domain.DE ", "testing")), {
    kind: "accepted",
    user: "test@domain.de",
  });
});

Deno.test("verifier: a wrong password is rejected", async () => {
  const { users, kdf } = await setup({ cramMd5Secret: false });
  const verifier = new UserStoreVerifier(users, { kdf, cramMd5Enabled: false });
  deepEqual(await verifier.verify(password("test@domain.de", "Testing")), { kind: "rejected" });
  deepEqual(await verifier.verify(password("test@domain.de", "")), { kind: "rejected" });
});

Deno.test("verifier: the seed's typo user test@doiain.de is unknown, hence rejected", async () => {
  const { users, kdf } = await setup({ cramMd5Secret: false });
  const verifier = new UserStoreVerifier(users, { kdf, cramMd5Enabled: false });
  deepEqual(await verifier.verify(password("test@doiain.de", "testing")), { kind: "rejected" });
});

Deno.test("verifier: an unknown user costs the same scrypt run as a known one", async () => {
  const { users, kdf, calls } = await setup({ cramMd5Secret: false });
  const verifier = new UserStoreVerifier(users, { kdf, cramMd5Enabled: false });
  await verifier.verify(password("test@domain.de", "wrong"));
  await verifier.verify(password("nobody@domain.de", "wrong"));
  await verifier.verify(password("nobody@domain.de", "testing"));
  equal(calls.length, 3);
  deepEqual(calls[1], calls[0]);
  deepEqual(calls[2], calls[0]);
  deepEqual(calls[0], { N: 32768, r: 8, p: 1, dkLen: 32 });
});

Deno.test("verifier: a store that fails is a temporary failure, never an acceptance", async () => {
  const verifier = new UserStoreVerifier(brokenStore, { cramMd5Enabled: true });
  const result = await verifier.verify(password("test@domain.de", "testing"));
  equal(result.kind, "temporary-failure");
  match(
    result.kind === "temporary-failure" ? result.reason : "",
    /user store failed: connection refused/,
  );
  equal((await verifier.verify(cram("test@domain.de", "testing"))).kind, "temporary-failure");
});

Deno.test("verifier: an unreadable stored hash or a failing KDF is a temporary failure", async () => {
  const users = new MemoryUserStore();
  await users.put({ address: "test@domain.de", passwordHash: "{PLAIN}testing", updatedAt: 0 });
  const corrupt = new UserStoreVerifier(users, { cramMd5Enabled: false });
  const result = await corrupt.verify(password("test@domain.de", "testing"));
  equal(result.kind, "temporary-failure");
  match(result.kind === "temporary-failure" ? result.reason : "", /test@domain\.de/);
  const failingKdf = new UserStoreVerifier((await setup({ cramMd5Secret: false })).users, {
    kdf: () => Promise.reject(new RangeError("out of memory")),
    cramMd5Enabled: false,
  });
  equal((await failingKdf.verify(password("test@domain.de", "testing"))).kind, "temporary-failure");
});

Deno.test("verifier: CRAM-MD5 with a stored secret accepts the right digest only", async () => {
  const { users, kdf, calls } = await setup({ cramMd5Secret: true });
  const verifier = new UserStoreVerifier(users, { kdf, cramMd5Enabled: true });
  deepEqual(await verifier.verify(cram("Test@domain.de", "testing")), {
    kind: "accepted",
    user: "test@domain.de",
  });
  deepEqual(await verifier.verify(cram("test@domain.de", "Testing")), { kind: "rejected" });
  const otherChallenge = { ...cram("test@domain.de", "testing"), challenge: "<1.2@elsewhere>" };
  deepEqual(await verifier.verify(otherChallenge), { kind: "rejected" });
  deepEqual(await verifier.verify(cram("nobody@domain.de", "testing")), { kind: "rejected" });
  deepEqual(calls, []);
});

Deno.test("verifier: CRAM-MD5 for a user without a secret is rejected", async () => {
  const { users, kdf } = await setup({ cramMd5Secret: false });
  const verifier = new UserStoreVerifier(users, { kdf, cramMd5Enabled: true });
  deepEqual(await verifier.verify(cram("test@domain.de", "testing")), { kind: "rejected" });
});

Deno.test("verifier: with CRAM-MD5 off, even a right digest is rejected without a lookup", async () => {
  const { users, kdf } = await setup({ cramMd5Secret: true });
  const off = new UserStoreVerifier(users, { kdf, cramMd5Enabled: false });
  deepEqual(await off.verify(cram("test@domain.de", "testing")), { kind: "rejected" });
  const offAndBroken = new UserStoreVerifier(brokenStore, { cramMd5Enabled: false });
  deepEqual(await offAndBroken.verify(cram("test@domain.de", "testing")), { kind: "rejected" });
});

Deno.test("verifier: PLAIN and LOGIN still work for a user with a CRAM-MD5 secret", async () => {
  const { users, kdf } = await setup({ cramMd5Secret: true });
  const verifier = new UserStoreVerifier(users, { kdf, cramMd5Enabled: true });
  deepEqual(await verifier.verify(password("test@domain.de", "testing", "LOGIN")), {
    kind: "accepted",
    user: "test@domain.de",
  });
});
