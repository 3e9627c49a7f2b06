/**
 * The relay decision's vocabulary: what may happen to one recipient.
 *
 * Like Haraka's `OK`/`DENY`/`DENYSOFT`, a verdict is data; the SMTP session
 * turns it into a reply (`smtp/replies.ts`), so the policy never speaks SMTP.
 *
 * @module
 */

/**
 * The verdict for one `RCPT TO`.
 *
 * - `accept`: `local` for a known user of a local domain (from anyone);
 *   `authenticated` or `trusted-network` for relaying to other domains.
 * - `unknown-user`: the domain is local but the mailbox does not exist (550 5.1.1).
 * - `relay-denied`: not local, and the client may not relay (553 5.7.1).
 * - `temporary-failure`: the facts could not be read (a store failed); 451.
 *
 * @example
 * ```ts
 * import type { RecipientVerdict } from "@tollgate/tollgate/relay";
 * const verdict: RecipientVerdict = { kind: "relay-denied" };
 * console.log(verdict.kind); // "relay-denied"
 * ```
 */
export type RecipientVerdict =
  | { kind: "accept"; because: "local" | "authenticated" | "trusted-network" }
  | { kind: "unknown-user" }
  | { kind: "relay-denied" }
  | { kind: "temporary-failure"; /** Why, for the log. */ reason: string };
