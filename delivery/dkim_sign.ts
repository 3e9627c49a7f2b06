/**
 * Builds `DKIM-Signature` fields (RFC 6376, `relaxed/relaxed`) over a
 * message's header fields and its body hash, with Web Crypto: RSA-SHA256
 * signs the canonical header data, Ed25519 signs its SHA-256 hash
 * (RFC 8463 §3: PureEdDSA over the hash, not Ed25519ph).
 *
 * @module
 */
import { encodeBase64 } from "../auth/base64.ts";
import type { DkimKey } from "../store/dkim_keys.ts";
import { binaryToBytes, type HeaderField, relaxedHeader } from "./dkim_canon.ts";
import { importDkimPrivateKey } from "./dkim_keygen.ts";

/**
 * The fields signed when present (RFC 6376 §5.4.1, plus the MIME fields and
 * `Message-ID`); `From` is signed once more than it occurs, so no second
 * `From` can be added without breaking the signature.
 *
 * @example
 * ```ts
 * import { DKIM_SIGNED_FIELDS } from "@tollgate/tollgate/delivery";
 * console.log(DKIM_SIGNED_FIELDS.includes("subject")); // true
 * ```
 */
export const DKIM_SIGNED_FIELDS: readonly string[] = [
  "from",
  "reply-to",
  "subject",
  "date",
  "to",
  "cc",
  "resent-date",
  "resent-from",
  "resent-to",
  "resent-cc",
  "in-reply-to",
  "references",
  "list-id",
  "list-help",
  "list-unsubscribe",
  "list-subscribe",
  "list-post",
  "list-owner",
  "list-archive",
  "message-id",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
];

/**
 * What {@linkcode dkimSignature} signs.
 *
 * @example
 * ```ts
 * import type { DkimSignatureInput } from "@tollgate/tollgate/delivery";
 * const input: Omit<DkimSignatureInput, "key"> = {
 *   fields: [{ name: "From", raw: "From: a@domain.de" }], bodyHash: new Uint8Array(32), time: 0,
 * };
 * console.log(input.fields.length); // 1
 * ```
 */
export interface DkimSignatureInput {
  /** The message's header fields, in order. */
  fields: HeaderField[];
  /** The SHA-256 of the `relaxed` body. */
  bodyHash: Uint8Array;
  /** The key (its domain is `d=`, its selector `s=`). */
  key: DkimKey;
  /** The signing time (`t=`), in seconds since the epoch. */
  time: number;
}

/**
 * One `DKIM-Signature` field, folded, with its CRLF (one char per byte).
 *
 * @example
 * ```ts
 * import { dkimSignature, generateDkimKey, parseHeaderFields, RelaxedBodyHash } from "@tollgate/tollgate/delivery";
 * const key = await generateDkimKey("domain.de", "s1-ed", "ed25519-sha256", 0);
 * const body = new RelaxedBodyHash();
 * body.update(new TextEncoder().encode("Hello.\r\n"));
 * const field = await dkimSignature({
 *   fields: parseHeaderFields("From: a@domain.de\r\nSubject: hi\r\n"),
 *   bodyHash: body.digest(), key, time: 1_800_000_000,
 * });
 * console.log(field.startsWith("DKIM-Signature: v=1; a=ed25519-sha256;")); // true
 * ```
 */
export async function dkimSignature(input: DkimSignatureInput): Promise<string> {
  const { key, fields } = input;
  const names = signedNames(fields);
  const unsigned = `DKIM-Signature: v=1; a=${key.algorithm}; c=relaxed/relaxed; d=${key.domain};` +
    ` s=${key.selector};\r\n\tt=${input.time}; h=${names.join(":")};\r\n` +
    `\tbh=${encodeBase64(input.bodyHash)};\r\n\tb=`;
  const data = binaryToBytes(
    selectFields(fields, names).map(relaxedHeader).join("") +
      relaxedHeader(unsigned).slice(0, -2),
  );
  const privateKey = await importDkimPrivateKey(key);
  const signed = key.algorithm === "rsa-sha256"
    ? await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, data)
    : await crypto.subtle.sign(
      "Ed25519",
      privateKey,
      await crypto.subtle.digest("SHA-256", data),
    );
  const b = encodeBase64(new Uint8Array(signed));
  return `${unsigned}${b.match(/.{1,72}/g)!.join("\r\n\t ")}\r\n`;
}

/** The `h=` list: each signed field as often as it occurs, `from` once more. */
function signedNames(fields: HeaderField[]): string[] {
  const names: string[] = [];
  for (const name of DKIM_SIGNED_FIELDS) {
    const count = fields.filter((field) => field.name.toLowerCase() === name).length;
    for (let i = 0; i < count; i++) names.push(name);
  }
  names.push("from");
  return names;
}

/** The fields `h=` names, each from the bottom up (RFC 6376 §5.4.2); missing ones are skipped. */
function selectFields(fields: HeaderField[], names: string[]): string[] {
  const used = new Set<number>();
  const out: string[] = [];
  for (const name of names) {
    for (let i = fields.length - 1; i >= 0; i--) {
      if (used.has(i) || fields[i].name.toLowerCase() !== name) continue;
      used.add(i);
      out.push(fields[i].raw);
      break;
    }
  }
  return out;
}
