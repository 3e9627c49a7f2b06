/**
 * CRAM-MD5 without storing the password: Dovecot's `{CRAM-MD5}` secret.
 *
 * HMAC-MD5(key, m) = MD5(key^opad ‖ MD5(key^ipad ‖ m)). Both key blocks are
 * exactly one MD5 block (64 bytes), so the MD5 state after each is all a
 * server needs; Dovecot stores those two states (`hmac-cram-md5.c`): 32 bytes,
 * the outer state's four 32-bit words A, B, C, D, then the inner state's, each
 * word little-endian, written as 64 hex digits. `doveadm pw -s CRAM-MD5`
 * output (without the `{CRAM-MD5}` prefix) is accepted as is.
 *
 * The secret is still password-equivalent for CRAM-MD5 itself (whoever holds
 * it can answer any challenge), but it does not reveal the password, so a leak
 * does not expose PLAIN/LOGIN or other services using the same password.
 *
 * Resuming MD5 from a stored state uses `@noble/hashes`' exported `_MD5` class
 * through a subclass that reaches its protected `get`/`set` and byte count.
 * That is the class's inheritance API, not monkey-patching, but `_MD5` is
 * marked internal: the version is pinned in `deno.json`, and the RFC 2195 and
 * Dovecot vectors in `tests/auth_cram_md5_secret_test.ts` catch a change. The
 * alternative, our own MD5 compression function, would be ~60 lines of
 * cryptographic code to own for no gain while noble's holds.
 *
 * @module
 */
import { _MD5, md5 } from "@noble/hashes/legacy.js";
import { decodeHex, encodeHex } from "./_encoding.ts";

const BLOCK_LENGTH = 64;
const SECRET_SHAPE = /^[0-9a-f]{64}$/i;
const ENCODER = new TextEncoder();

/** MD5 whose chaining state can be read after whole blocks and resumed from. */
class ResumableMd5 extends _MD5 {
  /** The state words A, B, C, D; only meaningful after whole blocks. */
  state(): [number, number, number, number] {
    return this.get();
  }

  /** Continues from `state`, as if `bytesDone` bytes (whole blocks) had been hashed. */
  resume(state: readonly number[], bytesDone: number): this {
    const [a, b, c, d] = state;
    this.set(a, b, c, d);
    this.length = bytesDone;
    return this;
  }
}

/**
 * The `{CRAM-MD5}` secret for a password (UTF-8): 64 lower-case hex digits,
 * byte-for-byte what `doveadm pw -s CRAM-MD5` prints after the prefix.
 *
 * @example
 * ```ts
 * import { cramMd5Secret } from "@tollgate/tollgate/auth";
 * console.log(cramMd5Secret("password"));
 * // "9186d855e11eba527a7a52ca82b313e180d62234f0acc9051b527243d41e2740"
 * ```
 */
export function cramMd5Secret(password: string): string {
  let key = ENCODER.encode(password);
  if (key.length > BLOCK_LENGTH) key = md5(key);
  const inner = new ResumableMd5().update(padKey(key, 0x36));
  const outer = new ResumableMd5().update(padKey(key, 0x5c));
  const words = new Uint32Array([...outer.state(), ...inner.state()]);
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setUint32(4 * i, word, true));
  return encodeHex(bytes);
}

/**
 * The CRAM-MD5 answer, hex HMAC-MD5(password, challenge), computed from a
 * `{CRAM-MD5}` secret. Throws a TypeError if `secret` is not 64 hex digits.
 *
 * @example
 * ```ts
 * import { cramMd5Digest, cramMd5Secret } from "@tollgate/tollgate/auth";
 * const secret = cramMd5Secret("tanstaaftanstaaf");
 * console.log(cramMd5Digest(secret, "<1896.697170952@postoffice.reston.mci.net>"));
 * // "b913a602c7eda7a495b4e6e7334d3890" (RFC 2195)
 * ```
 */
export function cramMd5Digest(secret: string, challenge: string): string {
  if (!SECRET_SHAPE.test(secret)) {
    throw new TypeError("Cannot use CRAM-MD5 secret: expected 64 hex digits");
  }
  const bytes = decodeHex(secret);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = Array.from({ length: 8 }, (_, i) => view.getUint32(4 * i, true));
  const innerDigest = new ResumableMd5().resume(words.slice(4), BLOCK_LENGTH)
    .update(ENCODER.encode(challenge)).digest();
  const digest = new ResumableMd5().resume(words.slice(0, 4), BLOCK_LENGTH)
    .update(innerDigest).digest();
  return encodeHex(digest);
}

function padKey(key: Uint8Array, pad: number): Uint8Array {
  const block = new Uint8Array(BLOCK_LENGTH);
  block.set(key);
  return block.map((byte) => byte ^ pad);
}
