import type { CredentialVerifier } from "../auth/credentials.ts";
import { UserStoreVerifier } from "../auth/store_verifier.ts";
import { createUserSecrets } from "../auth/user_secrets.ts";
import { CachingVerifier, VerificationCache } from "../auth/verification_cache.ts";
import { CheckpasswordVerifier } from "../runtime/deno/checkpassword_runner.ts";
import { DovecotVerifier } from "../runtime/deno/dovecot_client.ts";
import { nodeCrypt } from "../runtime/deno/legacy_crypt.ts";
import { MemoryUserStore } from "../store/memory/stores.ts";
import type { UserStore } from "../store/types.ts";
import { createFastKdf } from "./_auth_fast_kdf.ts";
import { startDovecot } from "./_dovecot.ts";
import { PASSWORD, USER, verifierContract } from "./_verifier_contract.ts";

const CHECKER = new URL("./fixtures/credentials/checkpassword.py", import.meta.url).pathname;
const FIXTURE = new URL("./fixtures/credentials/hashes.json", import.meta.url);
const { vectors } = JSON.parse(await Deno.readTextFile(FIXTURE)) as {
  vectors: { command: string; hash: string }[];
};
const hashOf = (command: string) => vectors.find((vector) => vector.command === command)!.hash;

const downStore: UserStore = {
  get: () => Promise.reject(new Error("connection refused")),
  put: () => Promise.reject(new Error("connection refused")),
  remove: () => Promise.reject(new Error("connection refused")),
  list: () => Promise.reject(new Error("connection refused")),
};

async function storeVerifiers(passwordHash?: string) {
  const users = new MemoryUserStore();
  const { kdf } = createFastKdf();
  const secrets = await createUserSecrets(PASSWORD, { cramMd5: true, kdf });
  await users.put({
    address: USER,
    ...secrets,
    ...(passwordHash ? { passwordHash } : {}),
    updatedAt: 0,
  });
  const options = { kdf, crypt: nodeCrypt, cramMd5Enabled: true };
  return {
    verifier: new UserStoreVerifier(users, options),
    broken: new UserStoreVerifier(downStore, options),
  };
}

function cached(verifier: CredentialVerifier): CredentialVerifier {
  const cache = new VerificationCache({ ttlMs: 60_000, key: new Uint8Array(32).fill(1) });
  return new CachingVerifier(verifier, { cache, now: () => 0 });
}

const noop = () => Promise.resolve();

verifierContract("user store (scrypt)", async () => ({
  ...await storeVerifiers(),
  acceptedUser: USER,
  cramMd5: true,
  close: noop,
}));

verifierContract("user store (imported {SHA512-CRYPT} hash)", async () => ({
  ...await storeVerifiers(hashOf("doveadm pw -s SHA512-CRYPT -p 'testing'")),
  acceptedUser: USER,
  cramMd5: true,
  close: noop,
}));

verifierContract("verification cache in front of the user store", async () => {
  const { verifier, broken } = await storeVerifiers();
  return {
    verifier: cached(verifier),
    broken: cached(broken),
    acceptedUser: USER,
    cramMd5: true,
    close: noop,
  };
});

verifierContract("checkpassword program", () => {
  const options = { cramOrder: "response-first", timeoutMs: 10_000 } as const;
  return Promise.resolve({
    verifier: new CheckpasswordVerifier([CHECKER, "--cram=response-first", "/bin/true"], options),
    broken: new CheckpasswordVerifier(["/nonexistent/vchkpw", "/bin/true"], options),
    acceptedUser: USER,
    cramMd5: true,
    close: noop,
  });
});

verifierContract("Dovecot", async () => {
  const dovecot = await startDovecot({
    kind: "passwd-file",
    lines: [`${USER}:${hashOf("doveadm pw -s SHA512-CRYPT -p 'testing'")}::::::`],
  });
  return {
    verifier: new DovecotVerifier({ path: dovecot.socketPath }, { timeoutMs: 10_000 }),
    broken: new DovecotVerifier({ path: `${dovecot.socketPath}-missing` }, { timeoutMs: 10_000 }),
    acceptedUser: USER,
    cramMd5: false,
    close: dovecot.stop,
  };
});
