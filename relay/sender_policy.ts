/**
 * Which envelope senders an authenticated user may use: Postfix's
 * `reject_sender_login_mismatch`, with the grants read from the sender store.
 *
 * @module
 */

import type { Stores } from "../store/types.ts";
import { normalizeRecipientDomain } from "./local_domains.ts";

/**
 * What is known about one `MAIL FROM` when the sender decision is made.
 *
 * @example
 * ```ts
 * import { decideSender, type SenderFacts } from "@tollgate/tollgate/relay";
 * const facts: SenderFacts = {
 *   sender: "info@domain.de", authenticatedUser: "test@domain.de", allowed: ["@domain.de"],
 * };
 * console.log(decideSender(facts)); // { kind: "accept" }
 * ```
 */
export interface SenderFacts {
  /** The envelope sender, `local@domain`; the empty string for the null sender `<>`. */
  sender: string;
  /** The user name the client authenticated as in this session; absent if it did not. */
  authenticatedUser?: string;
  /** The user's grants: `a@b` (that address) or `@b` (every address at domain `b`). */
  allowed: string[];
}

/**
 * The sender decision: `reject` is `553 5.7.1` in the session.
 *
 * @example
 * ```ts
 * import { decideSender, type SenderVerdict } from "@tollgate/tollgate/relay";
 * const verdict: SenderVerdict = decideSender({
 *   sender: "boss@domain.de", authenticatedUser: "test@domain.de", allowed: [],
 * });
 * console.log(verdict); // { kind: "reject" }
 * ```
 */
export type SenderVerdict = { kind: "accept" } | { kind: "reject" };

/**
 * The sender check's result: the decision, or `temporary-failure` (451) when the store failed.
 *
 * @example
 * ```ts
 * import type { SenderCheck } from "@tollgate/tollgate/relay";
 * const check: SenderCheck = { kind: "temporary-failure", reason: "sender store unreachable" };
 * console.log(check.kind); // "temporary-failure"
 * ```
 */
export type SenderCheck = SenderVerdict | {
  kind: "temporary-failure";
  /** Why, for the log. */
  reason: string;
};

/** Lower-cases the local part (`String#toLowerCase`) and the domain, drops a trailing root dot. */
function normalizeSender(address: string): string {
  const at = address.lastIndexOf("@");
  if (at === -1) return address.toLowerCase();
  return `${address.slice(0, at).toLowerCase()}@${normalizeRecipientDomain(address.slice(at + 1))}`;
}

function senderDomain(normalized: string): string | undefined {
  const at = normalized.lastIndexOf("@");
  return at === -1 ? undefined : normalized.slice(at + 1);
}

/**
 * Decides whether an envelope sender may be used.
 *
 * 1. A client that did not authenticate is not subject to this rule: it may
 *    only send to local users (or relay from a trusted network, which is an
 *    administrator's trust, as in Postfix). `accept`.
 * 2. The null sender `<>` is accepted for authenticated users: it is what
 *    bounces and auto-replies carry (RFC 5321 §4.5.5), and it names nobody
 *    to impersonate.
 * 3. An authenticated user may use its own address, an address granted to it
 *    (`a@b`), or any address of a domain granted to it (`@b`; exactly that
 *    domain, not its subdomains). Everything else is `reject`.
 *
 * Comparison is case-insensitive in both parts: domains as in DNS, local
 * parts because Tollgate's user store keeps addresses lower-case (Postfix's
 * lookup tables fold case too). A trailing root dot on the sender's domain
 * is ignored. No sub-addressing: `test+tag@domain.de` needs its own grant.
 * A user name without `@` (from checkpassword or Dovecot) owns no address:
 * only its grants apply.
 *
 * @example
 * ```ts
 * import { decideSender } from "@tollgate/tollgate/relay";
 * const facts = { authenticatedUser: "test@domain.de", allowed: ["@shop.domain.de"] };
 * console.log(decideSender({ ...facts, sender: "Test@Domain.DE" })); // { kind: "accept" }
 * console.log(decideSender({ ...facts, sender: "sales@shop.domain.de" })); // { kind: "accept" }
 * console.log(decideSender({ ...facts, sender: "boss@domain.de" })); // { kind: "reject" }
 * ```
 */
export function decideSender(facts: SenderFacts): SenderVerdict {
  const user = facts.authenticatedUser;
  if (user === undefined || user === "" || facts.sender === "") return { kind: "accept" };
  const sender = normalizeSender(facts.sender);
  if (user.includes("@") && sender === normalizeSender(user)) return { kind: "accept" };
  const domain = senderDomain(sender);
  for (const entry of facts.allowed) {
    const grant = normalizeSender(entry);
    if (grant === sender || (domain !== undefined && grant === `@${domain}`)) {
      return { kind: "accept" };
    }
  }
  return { kind: "reject" };
}

/**
 * One `MAIL FROM` to check, with the session's authenticated user.
 *
 * @example
 * ```ts
 * import { checkSender, type SenderRequest } from "@tollgate/tollgate/relay";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const request: SenderRequest = { sender: "test@domain.de", authenticatedUser: "test@domain.de" };
 * console.log(await checkSender(request, createMemoryStores(() => 0))); // { kind: "accept" }
 * ```
 */
export interface SenderRequest {
  /** The envelope sender; the empty string for `<>`. */
  sender: string;
  /** The user name the client authenticated as, if it did. */
  authenticatedUser?: string;
}

/**
 * Reads the user's grants from the sender store (only when they can matter)
 * and decides with {@linkcode decideSender}. The grants are listed under the
 * user name lower-cased, as the admin API stores them. A store that throws or
 * rejects gives `temporary-failure`, never an accept.
 *
 * @example
 * ```ts
 * import { checkSender } from "@tollgate/tollgate/relay";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(() => 0);
 * await stores.senders.add("test@domain.de", "info@domain.de");
 * const user = { authenticatedUser: "test@domain.de" };
 * console.log(await checkSender({ ...user, sender: "info@domain.de" }, stores));
 * // { kind: "accept" }
 * console.log(await checkSender({ ...user, sender: "ceo@domain.de" }, stores));
 * // { kind: "reject" }
 * ```
 */
export async function checkSender(
  request: SenderRequest,
  stores: Pick<Stores, "senders">,
): Promise<SenderCheck> {
  const withoutGrants = decideSender({ ...request, allowed: [] });
  if (withoutGrants.kind === "accept") return withoutGrants;
  try {
    const allowed = await stores.senders.list(request.authenticatedUser!.toLowerCase());
    return decideSender({ ...request, allowed });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "temporary-failure", reason: `sender store failed: ${message}` };
  }
}
