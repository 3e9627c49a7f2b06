import { deepEqual, equal, match, rejects } from "node:assert/strict";
import { cramMd5Secret } from "../auth/cram_md5_secret.ts";
import { verifyPassword } from "../auth/password_hash.ts";
import { createUserSecrets } from "../auth/user_secrets.ts";
import { createFastKdf } from "./_auth_fast_kdf.ts";

Deno.test("createUserSecrets: a password hash only, while CRAM-MD5 is off", async () => {
  const { kdf } = createFastKdf();
  const secrets = await createUserSecrets("testing", { cramMd5: false, kdf });
  deepEqual(Object.keys(secrets), ["passwordHash"]);
  equal(await verifyPassword("testing", secrets.passwordHash, { kdf }), true);
});

Deno.test("createUserSecrets: with CRAM-MD5 on, also the Dovecot secret", async () => {
  const { kdf } = createFastKdf();
  const secrets = await createUserSecrets("password", { cramMd5: true, kdf });
  equal(secrets.cramMd5Secret, cramMd5Secret("password"));
  equal(await verifyPassword("password", secrets.passwordHash, { kdf }), true);
});

Deno.test("createUserSecrets: passes cost, KDF and random source through", async () => {
  const { kdf, calls } = createFastKdf();
  const secrets = await createUserSecrets("testing", {
    cramMd5: false,
    kdf,
    cost: { ln: 12, r: 8, p: 1 },
    randomBytes: (n) => new Uint8Array(n),
  });
  match(secrets.passwordHash, /^\$scrypt\$ln=12,r=8,p=1\$A{22}\$/);
  deepEqual(calls, [{ N: 4096, r: 8, p: 1, dkLen: 32 }]);
});

Deno.test("createUserSecrets: an empty password or one with NUL is a RangeError", async () => {
  const { kdf, calls } = createFastKdf();
  await rejects(createUserSecrets("", { cramMd5: true, kdf }), RangeError);
  await rejects(createUserSecrets("pass\0word", { cramMd5: false, kdf }), RangeError);
  deepEqual(calls, []);
});
