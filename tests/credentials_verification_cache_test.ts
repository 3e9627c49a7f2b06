import { deepEqual, equal, throws } from "node:assert/strict";
import type { Credentials, CredentialVerifier, VerifyResult } from "../auth/credentials.ts";
import { CachingVerifier, forgetOnChange, VerificationCache } from "../auth/verification_cache.ts";
import { MemoryUserStore } from "../store/memory/stores.ts";

const KEY = new Uint8Array(32).fill(7);
const login = (password: string, username = "test@domain.de"): Credentials => ({
  kind: "password",
  mechanism: "LOGIN",
  username,
  password,
});
const ACCEPTED: VerifyResult = { kind: "accepted", user: "test@domain.de" };

/** A verifier that answers from a table and counts its calls. */
function countingVerifier(answers: Record<string, VerifyResult>) {
  const seen: string[] = [];
  const verifier: CredentialVerifier = {
    verify(credentials) {
      const secret = credentials.kind === "password"
        ? credentials.password
        : credentials.kind === "cram-md5"
        ? credentials.digest
        : credentials.token;
      seen.push(secret);
      return Promise.resolve(answers[secret] ?? { kind: "rejected" });
    },
  };
  return { verifier, seen };
}

Deno.test("verification cache: an acceptance is reused until the TTL ends, then asked again", async () => {
  let now = 1_000;
  const { verifier, seen } = countingVerifier({ testing: ACCEPTED });
  const cache = new VerificationCache({ ttlMs: 60_000, key: KEY });
  const caching = new CachingVerifier(verifier, { cache, now: () => now });
  deepEqual(await caching.verify(login("testing")), ACCEPTED);
  now += 59_999;
  deepEqual(await caching.verify(login("testing")), ACCEPTED);
  equal(seen.length, 1);
  now += 1;
  deepEqual(await caching.verify(login("testing")), ACCEPTED);
  equal(seen.length, 2);
});

Deno.test("verification cache: another password, another user or CRAM-MD5 is not served from it", async () => {
  const { verifier, seen } = countingVerifier({ testing: ACCEPTED });
  const cache = new VerificationCache({ ttlMs: 60_000, key: KEY });
  const caching = new CachingVerifier(verifier, { cache, now: () => 0 });
  await caching.verify(login("testing"));
  deepEqual(await caching.verify(login("Testing")), { kind: "rejected" });
  await caching.verify(login("testing", "other@domain.de"));
  const cram: Credentials = {
    kind: "cram-md5",
    mechanism: "CRAM-MD5",
    username: "test@domain.de",
    challenge: "<1@h>",
    digest: "testing",
  };
  await caching.verify(cram);
  await caching.verify(cram);
  deepEqual(seen, ["testing", "Testing", "testing", "testing", "testing"]);
});

Deno.test("verification cache: rejections and temporary failures are never remembered", async () => {
  const { verifier, seen } = countingVerifier({
    down: { kind: "temporary-failure", reason: "checker crashed" },
  });
  const caching = new CachingVerifier(verifier, {
    cache: new VerificationCache({ ttlMs: 60_000, key: KEY }),
    now: () => 0,
  });
  for (let i = 0; i < 2; i++) {
    equal((await caching.verify(login("down"))).kind, "temporary-failure");
    equal((await caching.verify(login("wrong"))).kind, "rejected");
  }
  equal(seen.length, 4);
});

Deno.test("verification cache: no plaintext password is held", () => {
  const cache = new VerificationCache({ ttlMs: 60_000, key: KEY });
  cache.remember(login("a-very-secret-password"), ACCEPTED, 0);
  const held = Deno.inspect(cache, { showHidden: true, depth: 10 });
  equal(held.includes("a-very-secret-password"), false);
  equal(cache.size, 1);
});

Deno.test("verification cache: the oldest entries go when it is full", () => {
  const cache = new VerificationCache({ ttlMs: 60_000, key: KEY, maxEntries: 2 });
  for (const password of ["one", "two", "three"]) cache.remember(login(password), ACCEPTED, 0);
  equal(cache.size, 2);
  equal(cache.lookup(login("one"), 1), undefined);
  deepEqual(cache.lookup(login("three"), 1), ACCEPTED);
});

Deno.test("verification cache: a password change through the store drops the user's entries", async () => {
  const cache = new VerificationCache({ ttlMs: 60_000, key: KEY });
  cache.remember(login("testing"), ACCEPTED, 0);
  cache.remember(login("x", "other@domain.de"), { kind: "accepted", user: "other@domain.de" }, 0);
  const users = forgetOnChange(new MemoryUserStore(), cache);
  await users.put({ address: "test@domain.de", passwordHash: "$scrypt$new", updatedAt: 1 });
  equal(cache.lookup(login("testing"), 1), undefined);
  equal(cache.size, 1);
  equal(await users.remove("other@domain.de"), false);
  equal(cache.size, 0);
  equal((await users.get("test@domain.de"))?.passwordHash, "$scrypt$new");
});

Deno.test("verification cache: nonsense options are refused", () => {
  throws(() => new VerificationCache({ ttlMs: 0, key: KEY }), RangeError);
  throws(() => new VerificationCache({ ttlMs: 1, key: new Uint8Array(8) }), RangeError);
  throws(() => new VerificationCache({ ttlMs: 1, key: KEY, maxEntries: 0 }), RangeError);
});

Deno.test("verification cache: with a stamp, a changed user record ends the cached acceptance", async () => {
  const { verifier, seen } = countingVerifier({ testing: ACCEPTED });
  const cache = new VerificationCache({ ttlMs: 60_000, key: KEY });
  let updatedAt: number | undefined = 1;
  const caching = new CachingVerifier(verifier, {
    cache,
    now: () => 0,
    stamp: (user) => Promise.resolve(user === "test@domain.de" ? updatedAt : undefined),
  });
  deepEqual(await caching.verify(login("testing")), ACCEPTED);
  deepEqual(await caching.verify(login("testing")), ACCEPTED);
  equal(seen.length, 1);
  updatedAt = 2;
  deepEqual(await caching.verify(login("testing")), ACCEPTED);
  equal(seen.length, 2);
  updatedAt = undefined;
  deepEqual(await caching.verify(login("testing")), ACCEPTED);
  equal(seen.length, 3);
});
