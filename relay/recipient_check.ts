/**
 * Gathers the facts about one recipient from the stores and asks the relay
 * policy (`relay/relay_policy.ts`) for the verdict.
 *
 * @module
 */

import type { DomainStore, Stores } from "../store/types.ts";
import { domainCandidates, normalizeRecipientDomain } from "./local_domains.ts";
import { isAddressInNetworks } from "./networks.ts";
import { decideRecipient } from "./relay_policy.ts";
import type { RecipientVerdict } from "./verdict.ts";

/**
 * One `RCPT TO` to check, with what is known about the client.
 *
 * @example
 * ```ts
 * import { checkRecipient, type RecipientRequest } from "@tollgate/tollgate/relay";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const request: RecipientRequest = {
 *   recipient: "someone@example.org", clientAddress: "203.0.113.5",
 * };
 * console.log(await checkRecipient(request, createMemoryStores(() => 0)));
 * // { kind: "relay-denied" }
 * ```
 */
export interface RecipientRequest {
  /** The recipient, `local@domain`, already syntax-checked by the SMTP layer. */
  recipient: string;
  /** The client's IP address, as the listener reports it. */
  clientAddress: string;
  /** The user name the client authenticated as in this session, if it did. */
  authenticatedUser?: string;
}

/**
 * The stores the recipient check reads; it never writes.
 *
 * @example
 * ```ts
 * import type { RecipientStores } from "@tollgate/tollgate/relay";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const { domains, users, networks } = createMemoryStores(() => 0);
 * const stores: RecipientStores = { domains, users, networks };
 * console.log(await stores.domains.has("example.net")); // false
 * ```
 */
export type RecipientStores = Pick<Stores, "domains" | "users" | "networks">;

async function anyDomainListed(domains: DomainStore, candidates: string[]): Promise<boolean> {
  for (const candidate of candidates) {
    if (await domains.has(candidate)) return true;
  }
  return false;
}

/**
 * Decides one recipient: local domain and user, or relaying.
 *
 * The domain compares case-insensitively (ASCII, as in DNS) and one trailing
 * dot is ignored; the local part is lower-cased (`String#toLowerCase`) too,
 * because the user store keeps addresses lower-case. So `Test@Domain.DE.`
 * is the user `test@domain.de`. The address splits at its last `@`.
 *
 * Only what the decision needs is read: the user store only for a local
 * domain, the network store only for a non-local domain when the client has
 * not authenticated. A store that throws or rejects gives
 * `temporary-failure` (451), never an accept.
 *
 * @param request The recipient and the client.
 * @param stores The domain, user and network stores.
 * @returns The verdict for this recipient.
 * @throws {TypeError} If the recipient has no `@`, or nothing before or after
 * it (the SMTP layer must qualify a bare `<Postmaster>` first, RFC 5321 §4.5.1).
 *
 * @example
 * ```ts
 * import { checkRecipient } from "@tollgate/tollgate/relay";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(() => 0);
 * await stores.domains.add("example.net");
 * await stores.networks.add("192.0.2.0/24");
 * const client = { clientAddress: "203.0.113.5" };
 * console.log(await checkRecipient({ ...client, recipient: "Nobody@EXAMPLE.net" }, stores));
 * // { kind: "unknown-user" }
 * console.log(await checkRecipient({ ...client, recipient: "someone@example.org" }, stores));
 * // { kind: "relay-denied" }
 * ```
 */
export async function checkRecipient(
  request: RecipientRequest,
  stores: RecipientStores,
): Promise<RecipientVerdict> {
  const at = request.recipient.lastIndexOf("@");
  if (at <= 0 || at === request.recipient.length - 1) {
    throw new TypeError(`Cannot check recipient: not local@domain: "${request.recipient}"`);
  }
  const localPart = request.recipient.slice(0, at).toLowerCase();
  const recipientDomain = normalizeRecipientDomain(request.recipient.slice(at + 1));
  const candidates = domainCandidates(recipientDomain);
  const authenticated = request.authenticatedUser !== undefined &&
    request.authenticatedUser !== "";
  let reading = "domain store";
  try {
    const isLocalDomain = await anyDomainListed(stores.domains, candidates);
    reading = "user store";
    const userExists = isLocalDomain &&
      (await stores.users.get(`${localPart}@${recipientDomain}`)) !== undefined;
    reading = "network store";
    const clientTrusted = !isLocalDomain && !authenticated &&
      isAddressInNetworks(request.clientAddress, await stores.networks.list());
    return decideRecipient({
      recipientDomain,
      isLocalDomain,
      userExists,
      authenticated,
      clientTrusted,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "temporary-failure", reason: `${reading} failed: ${message}` };
  }
}
