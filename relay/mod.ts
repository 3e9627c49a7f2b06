/**
 * The relay decision: which recipients this server accepts, and from whom.
 *
 * Mail to a local domain (qmail's `rcpthosts`) is accepted from anyone for
 * users that exist; mail to any other domain only from a client that has
 * authenticated or sits in a trusted network. Everything else is denied.
 *
 * - `relay_policy.ts`: {@linkcode decideRecipient}, the decision itself (pure).
 * - `recipient_check.ts`: {@linkcode checkRecipient}, which reads the stores and asks it.
 * - `local_domains.ts`: `rcpthosts` entries and qmail's matching.
 * - `networks.ts`: trusted client networks (CIDR).
 * - `sender_policy.ts`: {@linkcode checkSender}, who may use which `MAIL FROM`.
 * - `verdict.ts`: the verdict vocabulary.
 *
 * Where accepted mail goes afterwards (routes, retries, bounces) is
 * `@tollgate/tollgate/delivery`.
 *
 * @example
 * ```ts
 * import { decideRecipient } from "@tollgate/tollgate/relay";
 * const verdict = decideRecipient({
 *   recipientDomain: "example.org",
 *   isLocalDomain: false,
 *   userExists: false,
 *   authenticated: true,
 *   clientTrusted: false,
 * });
 * console.log(verdict); // { kind: "accept", because: "authenticated" }
 * ```
 *
 * @module
 */

export {
  domainCandidates,
  isLocalDomain,
  normalizeDomainEntry,
  normalizeRecipientDomain,
} from "./local_domains.ts";
export { isAddressInNetworks, normalizeCidr } from "./networks.ts";
export { checkRecipient, type RecipientRequest, type RecipientStores } from "./recipient_check.ts";
export { decideRecipient, type RecipientFacts } from "./relay_policy.ts";
export type { RecipientVerdict } from "./verdict.ts";
export * from "./sender_policy.ts";
