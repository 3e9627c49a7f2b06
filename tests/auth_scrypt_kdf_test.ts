import { equal } from "node:assert/strict";
import { hashPassword, nobleScryptKdf, verifyPassword } from "../auth/password_hash.ts";
import { nodeScryptKdf } from "../runtime/deno/scrypt_kdf.ts";

const encoder = new TextEncoder();

Deno.test("nodeScryptKdf: RFC 7914 §12 test vector", async () => {
  const key = await nodeScryptKdf(encoder.encode("password"), encoder.encode("NaCl"), {
    N: 1024,
    r: 8,
    p: 16,
    dkLen: 64,
  });
  equal(
    key.toHex(),
    "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
  );
});

Deno.test("scrypt KDFs: node:crypto and @noble/hashes give the same bytes at the default cost", async () => {
  // N = 2^15, r = 8 needs 32 MiB plus a little: above node:crypto's default maxmem.
  const password = encoder.encode("päss wörd");
  const salt = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  const params = { N: 2 ** 15, r: 8, p: 1, dkLen: 32 };
  const [fromNode, fromNoble] = await Promise.all([
    nodeScryptKdf(password, salt, params),
    nobleScryptKdf(password, salt, params),
  ]);
  equal(fromNode.toHex(), fromNoble.toHex());
  equal(fromNode.length, 32);
  equal(fromNode instanceof Uint8Array, true);
});

Deno.test("scrypt KDFs: a hash made with one verifies with the other", async () => {
  const byNode = await hashPassword("testing", { kdf: nodeScryptKdf });
  const byNoble = await hashPassword("testing", { kdf: nobleScryptKdf });
  equal(await verifyPassword("testing", byNode, { kdf: nobleScryptKdf }), true);
  equal(await verifyPassword("testing", byNoble, { kdf: nodeScryptKdf }), true);
  equal(await verifyPassword("testinG", byNoble, { kdf: nodeScryptKdf }), false);
});

Deno.test("nodeScryptKdf: verifies passlib's published scrypt hash (ln=16, 64 MiB)", async () => {
  const phc =
    "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E";
  equal(await verifyPassword("password", phc, { kdf: nodeScryptKdf }), true);
});
