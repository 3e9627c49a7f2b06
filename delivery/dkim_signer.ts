/**
 * Which queued messages get DKIM signatures, and with which keys: mail
 * accepted from an authenticated user or a trusted network whose `From:`
 * domain (else envelope sender domain) has keys, signed with the newest key
 * of each algorithm just before it leaves over SMTP. An authenticated user's
 * `From:` domain signs only when it is the envelope sender's domain, which
 * `MAIL FROM` checked against the user's own address and sender grants: a
 * user of one customer cannot get another customer's signature by writing
 * that customer's address into `From:`.
 *
 * @module
 */
import { isAddressInNetworks } from "../relay/networks.ts";
import type { DkimKey, DkimKeyStore } from "../store/dkim_keys.ts";
import type { NetworkStore, QueuedMessage } from "../store/types.ts";
import {
  binaryToBytes,
  bytesToBinary,
  type HeaderField,
  parseHeaderFields,
  RelaxedBodyHash,
} from "./dkim_canon.ts";
import { dkimSignature } from "./dkim_sign.ts";

/**
 * Signs one queued message: the fields to put in front of its stored bytes,
 * or undefined when it is not to be signed. `body` streams the message as stored.
 *
 * @example
 * ```ts
 * import type { MessageSigner } from "@tollgate/tollgate/delivery";
 * const neverSign: MessageSigner = () => Promise.resolve(undefined);
 * console.log(typeof neverSign); // "function"
 * ```
 */
export type MessageSigner = (
  message: QueuedMessage,
  body: () => AsyncIterable<Uint8Array>,
) => Promise<Uint8Array | undefined>;

/**
 * What {@linkcode createDkimSigner} reads.
 *
 * @example
 * ```ts
 * import type { DkimSignerOptions } from "@tollgate/tollgate/delivery";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(Date.now);
 * const options: DkimSignerOptions = { keys: stores.dkim, networks: stores.networks, now: Date.now };
 * console.log(typeof options.now()); // "number"
 * ```
 */
export interface DkimSignerOptions {
  /** The keys per domain. */
  keys: DkimKeyStore;
  /** The trusted networks (mail from them is signed like authenticated mail). */
  networks: NetworkStore;
  /** The clock (ms since epoch), for `t=`. */
  now: () => number;
}

/** At most this much of a header section is read; a longer one is not signed. */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * The signer the delivery worker calls before each SMTP delivery.
 *
 * @example
 * ```ts
 * import { createDkimSigner } from "@tollgate/tollgate/delivery";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(() => 0);
 * const sign = createDkimSigner({ keys: stores.dkim, networks: stores.networks, now: Date.now });
 * const message = {
 *   id: "1", from: "a@domain.de", to: ["b@example.org"], clientAddress: "192.0.2.1",
 *   helo: "x", receivedAt: 0, size: 0,
 * };
 * console.log(await sign(message, async function* () {})); // undefined: not authenticated
 * ```
 */
export function createDkimSigner(options: DkimSignerOptions): MessageSigner {
  return async (message, body) => {
    if (message.from === "" || !(await acceptedFromOurs(message, options.networks))) {
      return undefined;
    }
    const { fields, bodyHash } = await readMessage(body());
    if (!fields) return undefined;
    const keys = await signingKeys(signingDomains(fields, message), options.keys);
    if (keys.length === 0) return undefined;
    const time = Math.floor(options.now() / 1000);
    const signatures = await Promise.all(
      keys.map((key) => dkimSignature({ fields, bodyHash, key, time })),
    );
    return binaryToBytes(signatures.join(""));
  };
}

async function acceptedFromOurs(message: QueuedMessage, networks: NetworkStore): Promise<boolean> {
  if (message.authUser !== undefined) return true;
  return isAddressInNetworks(message.clientAddress, await networks.list());
}

/**
 * The domains whose keys may sign, in order: the `From:` domain, then the envelope
 * sender's. For an authenticated user the `From:` domain counts only when it is the
 * envelope sender's (checked at `MAIL FROM`); a trusted network may sign for any.
 */
function signingDomains(fields: HeaderField[], message: QueuedMessage): string[] {
  const from = fields.find((field) => field.name.toLowerCase() === "from");
  const fromDomain = from && addressDomain(from.raw);
  const senderDomain = addressDomain(message.from);
  const mayUseFrom = message.authUser === undefined || fromDomain === senderDomain;
  return [mayUseFrom ? fromDomain : undefined, senderDomain].filter((domain) =>
    domain !== undefined
  );
}

/** The newest key of each algorithm for the first of `domains` that has keys. */
async function signingKeys(domains: string[], store: DkimKeyStore): Promise<DkimKey[]> {
  for (const domain of new Set(domains)) {
    const keys = await store.get(domain);
    if (keys.length > 0) return newestPerAlgorithm(keys);
  }
  return [];
}

/** The domain of the first address in a `From:` field or an envelope address, lower-case. */
function addressDomain(text: string): string | undefined {
  const value = text.replace(/^from\s*:/i, "");
  const angle = /<[^<>@]*@([^<>\s]+)>/.exec(value) ?? /@([A-Za-z0-9.-]+)/.exec(value);
  return angle?.[1].toLowerCase().replace(/\.$/, "");
}

function newestPerAlgorithm(keys: DkimKey[]): DkimKey[] {
  const newest = new Map<string, DkimKey>();
  for (const key of keys) {
    const seen = newest.get(key.algorithm);
    if (!seen || key.createdAt > seen.createdAt) newest.set(key.algorithm, key);
  }
  return [...newest.values()].sort((a, b) => a.algorithm < b.algorithm ? 1 : -1);
}

/** One pass over the stored message: its header fields, and the hash of its body. */
async function readMessage(
  chunks: AsyncIterable<Uint8Array>,
): Promise<{ fields?: HeaderField[]; bodyHash: Uint8Array }> {
  const hash = new RelaxedBodyHash();
  let header = "";
  let inBody = false;
  for await (const chunk of chunks) {
    if (inBody) {
      hash.update(chunk);
      continue;
    }
    const previous = header.length;
    header += bytesToBinary(chunk);
    // The header section ends at the first empty line (or a body that starts at once).
    const end = header.startsWith("\r\n") ? 0 : header.indexOf("\r\n\r\n");
    if (end >= 0) {
      const bodyStart = end === 0 ? 2 : end + 4;
      hash.update(chunk.subarray(bodyStart - previous));
      header = header.slice(0, end === 0 ? 0 : end + 2);
      inBody = true;
    } else if (header.length > MAX_HEADER_BYTES) {
      return { bodyHash: hash.digest() };
    }
  }
  return { fields: parseHeaderFields(header), bodyHash: hash.digest() };
}
