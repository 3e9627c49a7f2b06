/**
 * The relay decision: the one place that says whether a recipient is accepted.
 *
 * @module
 */

import type { RecipientVerdict } from "./verdict.ts";

/**
 * What is known about one `RCPT TO` when the decision is made.
 *
 * @example
 * ```ts
 * import { decideRecipient, type RecipientFacts } from "@tollgate/tollgate/relay";
 * const facts: RecipientFacts = {
 *   recipientDomain: "example.org", isLocalDomain: false, userExists: false,
 *   authenticated: true, clientTrusted: false,
 * };
 * console.log(decideRecipient(facts)); // { kind: "accept", because: "authenticated" }
 * ```
 */
export interface RecipientFacts {
  /** The recipient's domain, lower-case and without a trailing dot (for the log). */
  recipientDomain: string;
  /** The domain is one of ours (`rcpthosts`, see `relay/local_domains.ts`). */
  isLocalDomain: boolean;
  /** The mailbox exists in the user store (meaningful only for a local domain). */
  userExists: boolean;
  /** The client completed SMTP AUTH in this session. */
  authenticated: boolean;
  /** The client's address is in a network that may relay without AUTH (`RELAYCLIENT`). */
  clientTrusted: boolean;
}

/**
 * Decides what happens to one recipient, from facts already gathered.
 *
 * 1. A local domain takes mail from anyone, authenticated or not, as qmail-smtpd
 *    does for `rcpthosts`: `accept/local` for an existing mailbox, otherwise
 *    `unknown-user` (RFC 5321 §3.3: a server that knows an address is not
 *    deliverable answers 550).
 * 2. Any other domain is relaying, which RFC 5321 §3.6.1 lets a server decline.
 *    It is allowed only for an authenticated client (qmail-smtpd-auth: AUTH makes
 *    the client a relay client) or one in a trusted network (`RELAYCLIENT`).
 * 3. Everything else is `relay-denied`. Only a fact that is exactly `true`
 *    grants anything, so a missing fact denies.
 *
 * @param facts What is known about the recipient and the client.
 * @returns The verdict; never `temporary-failure` (facts that could not be read never get here).
 *
 * @example
 * ```ts
 * import { decideRecipient } from "@tollgate/tollgate/relay";
 * const verdict = decideRecipient({
 *   recipientDomain: "example.org",
 *   isLocalDomain: false,
 *   userExists: false,
 *   authenticated: false,
 *   clientTrusted: false,
 * });
 * console.log(verdict.kind); // "relay-denied"
 * ```
 */
export function decideRecipient(facts: RecipientFacts): RecipientVerdict {
  if (facts.isLocalDomain === true) {
    if (facts.userExists === true) return { kind: "accept", because: "local" };
    return { kind: "unknown-user" };
  }
  if (facts.authenticated === true) return { kind: "accept", because: "authenticated" };
  if (facts.clientTrusted === true) return { kind: "accept", because: "trusted-network" };
  return { kind: "relay-denied" };
}
