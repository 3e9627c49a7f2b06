import { deepEqual, equal, match, rejects, throws } from "node:assert/strict";
import {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  needsRehash,
  nobleScryptKdf,
  verifyPassword,
} from "../auth/password_hash.ts";
import { createFastKdf } from "./_auth_fast_kdf.ts";

const CHEAP = { ln: 10, r: 8, p: 1 };
const zeros = (n: number) => new Uint8Array(n);

Deno.test("hashPassword: a PHC string with the cost, a 16-byte salt and a 32-byte hash", async () => {
  const phc = await hashPassword("testing", { cost: CHEAP });
  match(phc, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
});

Deno.test("hashPassword: defaults to ln=15, r=8, p=1, 32 bytes", async () => {
  const { kdf, calls } = createFastKdf();
  const phc = await hashPassword("testing", { kdf, randomBytes: zeros });
  deepEqual(calls, [{ N: 32768, r: 8, p: 1, dkLen: 32 }]);
  match(phc, /^\$scrypt\$ln=15,r=8,p=1\$A{22}\$/);
  deepEqual(DEFAULT_SCRYPT_COST, { ln: 15, r: 8, p: 1 });
});

Deno.test("hashPassword: the salt comes from the injected random source", async () => {
  const requested: number[] = [];
  const randomBytes = (n: number) => {
    requested.push(n);
    return new Uint8Array(n).fill(0xff);
  };
  const phc = await hashPassword("testing", { cost: CHEAP, randomBytes });
  deepEqual(requested, [16]);
  equal(phc.split("$")[3], "/////////////////////w");
  const other = await hashPassword("testing", { cost: CHEAP });
  equal(other === phc, false);
});

Deno.test("hashPassword: a random source of the wrong length or a bad cost is a RangeError", async () => {
  await rejects(hashPassword("x", { cost: CHEAP, randomBytes: () => zeros(8) }), RangeError);
  for (const cost of [{ ln: 0, r: 8, p: 1 }, { ln: 15.5, r: 8, p: 1 }, { ln: 21, r: 8, p: 1 }]) {
    await rejects(hashPassword("x", { cost, kdf: createFastKdf().kdf }), RangeError);
  }
  await rejects(hashPassword("x", { cost: { ln: 10, r: 0, p: 1 } }), RangeError);
  await rejects(hashPassword("x", { cost: { ln: 10, r: 8, p: 17 } }), RangeError);
});

Deno.test("verifyPassword: round trip with the real scrypt; a wrong password fails", async () => {
  const phc = await hashPassword("testing", { cost: CHEAP });
  equal(await verifyPassword("testing", phc), true);
  equal(await verifyPassword("Testing", phc), false);
  equal(await verifyPassword("testing ", phc), false);
  equal(await verifyPassword("", phc), false);
});

Deno.test("verifyPassword: a tampered salt, hash or cost no longer verifies", async () => {
  const phc = await hashPassword("testing", { cost: CHEAP, randomBytes: zeros });
  const [, , params, salt, hash] = phc.split("$");
  const flip = (text: string, at: number) =>
    text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
  const tampered = [
    `$scrypt$${params}$${flip(salt, 0)}$${hash}`,
    `$scrypt$${params}$${salt}$${flip(hash, 5)}`,
    `$scrypt$ln=11,r=8,p=1$${salt}$${hash}`,
    `$scrypt$ln=10,r=4,p=1$${salt}$${hash}`,
  ];
  for (const text of tampered) equal(await verifyPassword("testing", text), false, text);
});

Deno.test("verifyPassword: verifies passlib's published scrypt hash", async () => {
  // passlib.hash.scrypt documentation: scrypt.hash("password").
  const phc =
    "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E";
  equal(await verifyPassword("password", phc), true);
});

Deno.test("verifyPassword: a string that is not a usable scrypt PHC string throws", async () => {
  const { kdf, calls } = createFastKdf();
  const salt = "A".repeat(22);
  const hash = "A".repeat(43);
  const syntax = [
    "",
    "{CRAM-MD5}9186d855e11eba527a7a52ca82b313e180d62234f0acc9051b527243d41e2740",
    "$2y$05$Nkx/QGy0PMR4CgQhfRDnROfMn4JmU8A2eVxROXTWeHlNnQMYs/Aaq",
    `$scrypt$ln=15,r=8$${salt}$${hash}`,
    `$scrypt$r=8,ln=15,p=1$${salt}$${hash}`,
    `$scrypt$ln=15,r=8,p=1$${salt}=$${hash}`, // padding
    `$scrypt$ln=15,r=8,p=1$${salt}$${hash.slice(0, 42)}B`, // stray low bits
    `$scrypt$ln=15,r=8,p=1$${salt}$${hash}$`,
  ];
  for (const phc of syntax) await rejects(verifyPassword("x", phc, { kdf }), SyntaxError, phc);
  const range = [
    `$scrypt$ln=25,r=8,p=1$${salt}$${hash}`, // 4 GiB
    `$scrypt$ln=15,r=8,p=1$AAAAAA$${hash}`, // 4-byte salt
    `$scrypt$ln=15,r=8,p=1$${salt}$AAAAAA`, // 4-byte hash
  ];
  for (const phc of range) await rejects(verifyPassword("x", phc, { kdf }), RangeError, phc);
  deepEqual(calls, []);
});

Deno.test("verifyPassword: the KDF gets the stored cost and the stored hash's length", async () => {
  const { kdf, calls } = createFastKdf();
  const phc = `$scrypt$ln=12,r=4,p=2$${"A".repeat(22)}$${"A".repeat(86)}`;
  equal(await verifyPassword("x", phc, { kdf }), false);
  deepEqual(calls, [{ N: 4096, r: 4, p: 2, dkLen: 64 }]);
});

Deno.test("needsRehash: weaker cost, shorter salt or hash than the target", () => {
  const salt = "A".repeat(22);
  const hash = "A".repeat(43);
  equal(needsRehash(`$scrypt$ln=15,r=8,p=1$${salt}$${hash}`), false);
  equal(needsRehash(`$scrypt$ln=16,r=8,p=2$${salt}$${hash}`), false);
  equal(needsRehash(`$scrypt$ln=14,r=8,p=1$${salt}$${hash}`), true);
  equal(needsRehash(`$scrypt$ln=15,r=4,p=1$${salt}$${hash}`), true);
  equal(needsRehash(`$scrypt$ln=15,r=8,p=1$AAAAAAAAAAA$${hash}`), true);
  equal(needsRehash(`$scrypt$ln=15,r=8,p=1$${salt}$${"A".repeat(22)}`), true);
  const target = { cost: { ln: 16, r: 8, p: 1 } };
  equal(needsRehash(`$scrypt$ln=15,r=8,p=1$${salt}$${hash}`, target), true);
  throws(() => needsRehash("$2y$05$Nkx"), SyntaxError);
});

Deno.test("nobleScryptKdf: RFC 7914 §12 test vector", async () => {
  const encoder = new TextEncoder();
  const key = await nobleScryptKdf(encoder.encode("password"), encoder.encode("NaCl"), {
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
