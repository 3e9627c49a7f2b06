/**
 * Choosing a server-side SASL mechanism by the name in `AUTH <name>`.
 *
 * @module
 */
import { CramMd5Mechanism } from "./cram_md5.ts";
import { LoginMechanism } from "./login.ts";
import { OAuthMechanism } from "./oauth_mechanism.ts";
import { PlainMechanism } from "./plain.ts";
import type { MechanismContext, MechanismName, ServerMechanism } from "./sasl.ts";

const MECHANISM_NAMES: readonly MechanismName[] = [
  "PLAIN",
  "LOGIN",
  "CRAM-MD5",
  "XOAUTH2",
  "OAUTHBEARER",
];

/**
 * Parses the mechanism argument of `AUTH` (case-insensitive): the canonical
 * upper-case name, or `undefined` for a mechanism Tollgate does not offer
 * (`504 auth type unimplemented`).
 *
 * @example
 * ```ts
 * import { isMechanismName } from "@tollgate/tollgate/auth";
 * console.log(isMechanismName("login")); // "LOGIN"
 * console.log(isMechanismName("DIGEST-MD5")); // undefined
 * ```
 */
export function isMechanismName(text: string): MechanismName | undefined {
  const upper = text.toUpperCase();
  return MECHANISM_NAMES.find((name) => name === upper);
}

/**
 * A fresh server mechanism for one exchange.
 *
 * @example
 * ```ts
 * import { createServerMechanism } from "@tollgate/tollgate/auth";
 * const plain = createServerMechanism("PLAIN", {
 *   hostname: "mail.domain.de", now: 0, randomBytes: (n) => new Uint8Array(n),
 * });
 * console.log(plain.start()); // { kind: "challenge", challenge: "" }
 * ```
 */
export function createServerMechanism(
  name: MechanismName,
  context: MechanismContext,
): ServerMechanism {
  switch (name) {
    case "PLAIN":
      return new PlainMechanism();
    case "LOGIN":
      return new LoginMechanism();
    case "CRAM-MD5":
      return new CramMd5Mechanism(context);
    case "XOAUTH2":
    case "OAUTHBEARER":
      return new OAuthMechanism(name);
  }
}
