/**
 * DKIM key pairs with Web Crypto (`crypto.subtle`, runtime-free): RSA 2048
 * for `rsa-sha256` and Ed25519 for `ed25519-sha256` (RFC 8463), and the DNS
 * TXT records that publish them.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "../auth/base64.ts";
import type { DkimAlgorithm, DkimKey } from "../store/dkim_keys.ts";

/** The Web Crypto algorithm of each DKIM algorithm. */
const WEB_CRYPTO = {
  "rsa-sha256": { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  "ed25519-sha256": { name: "Ed25519" },
} as const;

/**
 * Makes a new key pair for `domain` under `selector`.
 *
 * @example
 * ```ts
 * import { generateDkimKey } from "@tollgate/tollgate/delivery";
 * const key = await generateDkimKey("domain.de", "s1-ed", "ed25519-sha256", Date.now());
 * console.log(key.publicKey.length); // 44: 32 bytes in base64
 * ```
 */
export async function generateDkimKey(
  domain: string,
  selector: string,
  algorithm: DkimAlgorithm,
  createdAt: number,
): Promise<DkimKey> {
  const pair = algorithm === "rsa-sha256"
    ? await crypto.subtle.generateKey(
      { ...WEB_CRYPTO[algorithm], modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
      true,
      ["sign", "verify"],
    ) as CryptoKeyPair
    : await crypto.subtle.generateKey(WEB_CRYPTO[algorithm], true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
  const publicFormat = algorithm === "rsa-sha256" ? "spki" : "raw";
  return {
    domain,
    selector,
    algorithm,
    privateKey: encodeBase64(
      new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
    ),
    publicKey: encodeBase64(
      new Uint8Array(await crypto.subtle.exportKey(publicFormat, pair.publicKey)),
    ),
    createdAt,
  };
}

/**
 * The stored private key, ready to sign with.
 *
 * @example
 * ```ts
 * import { generateDkimKey, importDkimPrivateKey } from "@tollgate/tollgate/delivery";
 * const key = await generateDkimKey("domain.de", "s1-ed", "ed25519-sha256", 0);
 * console.log((await importDkimPrivateKey(key)).type); // "private"
 * ```
 */
export function importDkimPrivateKey(key: DkimKey): Promise<CryptoKey> {
  const der = decodeBase64(key.privateKey);
  if (!der) throw new RangeError(`DKIM key ${key.selector}._domainkey.${key.domain} is not base64`);
  return crypto.subtle.importKey("pkcs8", new Uint8Array(der), WEB_CRYPTO[key.algorithm], false, [
    "sign",
  ]);
}

/**
 * A DNS record to publish.
 *
 * @example
 * ```ts
 * import type { DkimDnsRecord } from "@tollgate/tollgate/delivery";
 * const record: DkimDnsRecord = {
 *   name: "tg20261207-ed._domainkey.domain.de", type: "TXT", value: "v=DKIM1; k=ed25519; p=...",
 * };
 * console.log(record.type); // "TXT"
 * ```
 */
export interface DkimDnsRecord {
  /** `<selector>._domainkey.<domain>`. */
  name: string;
  /** Always `TXT`. */
  type: "TXT";
  /** `v=DKIM1; k=rsa; p=...` or `v=DKIM1; k=ed25519; p=...`. */
  value: string;
}

/**
 * The TXT record that publishes a key's public half.
 *
 * @example
 * ```ts
 * import { dkimDnsRecord } from "@tollgate/tollgate/delivery";
 * const record = dkimDnsRecord({
 *   domain: "domain.de", selector: "s1-ed", algorithm: "ed25519-sha256",
 *   privateKey: "", publicKey: "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", createdAt: 0,
 * });
 * console.log(record.name, record.value);
 * // s1-ed._domainkey.domain.de v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
 * ```
 */
export function dkimDnsRecord(key: DkimKey): DkimDnsRecord {
  const k = key.algorithm === "rsa-sha256" ? "rsa" : "ed25519";
  return {
    name: `${key.selector}._domainkey.${key.domain}`,
    type: "TXT",
    value: `v=DKIM1; k=${k}; p=${key.publicKey}`,
  };
}
