/**
 * Local domains: qmail's `rcpthosts`, its entry syntax and its matching.
 *
 * An entry is either a domain name (`example.com`, which matches only that
 * name) or a subdomain wildcard (`.example.com`, which matches every name
 * below `example.com` but not `example.com` itself). This is qmail 1.03's
 * `rcpthosts.c`: it looks up the recipient's domain, then every suffix of it
 * that starts at a dot. List both `example.com` and `.example.com` to take
 * mail for a domain and all its subdomains.
 *
 * @module
 */

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const LDH = /^[a-z0-9-]+$/;
const ALL_DIGITS = /^[0-9]+$/;
const NON_ASCII = /\P{ASCII}/u;

/**
 * Lower-cases ASCII letters only. DNS names compare case-insensitively in
 * ASCII alone (RFC 4343), and so does qmail (`case_lowerb`); `String#toLowerCase`
 * would also fold characters such as the Kelvin sign (U+212A) into `k`.
 */
function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function domainError(text: string, reason: string): RangeError {
  return new RangeError(`Cannot parse domain: ${reason} in "${text}"`);
}

function checkLabel(text: string, label: string): void {
  if (label === "") throw domainError(text, "empty label");
  if (label.length > MAX_LABEL_LENGTH) {
    throw domainError(text, `label longer than ${MAX_LABEL_LENGTH} characters`);
  }
  if (!LDH.test(label)) {
    throw domainError(text, "a character other than a letter, digit, hyphen or dot");
  }
  if (label.startsWith("-") || label.endsWith("-")) {
    throw domainError(text, "a label that starts or ends with a hyphen");
  }
}

/**
 * Validates one local-domain (`rcpthosts`) entry and returns its normal form.
 *
 * Accepts a domain name (`example.com`) or a subdomain wildcard
 * (`.example.com`); lower-cases it and strips one trailing dot. Rejects empty
 * labels, labels over 63 and names over 253 characters, characters outside
 * letters, digits and hyphens (RFC 1123), labels that start or end with a
 * hyphen, `*` wildcards, IP addresses and address literals (a name whose
 * last label is all digits, or `[...]`).
 *
 * Internationalized names are accepted only in their ASCII form (`xn--`
 * punycode, RFC 5890): a name with non-ASCII characters is rejected, so
 * every stored entry is plain ASCII and compares byte for byte.
 *
 * A single-label wildcard such as `.com` is accepted, as qmail accepts it:
 * it makes every `.com` domain local. That never opens a relay (mail to a
 * local domain is only accepted for a user that exists), but it does make
 * such recipients `unknown-user` instead of relayable.
 *
 * @param text The entry as the operator wrote it.
 * @returns The entry, lower-case, without a trailing dot.
 * @throws {RangeError} If the entry is not a domain name or subdomain wildcard.
 *
 * @example
 * ```ts
 * import { normalizeDomainEntry } from "@tollgate/tollgate/relay";
 * console.log(normalizeDomainEntry("Mail.Example.COM.")); // "mail.example.com"
 * console.log(normalizeDomainEntry(".example.com")); // ".example.com"
 * ```
 */
export function normalizeDomainEntry(text: string): string {
  if (text === "") throw new RangeError("Cannot parse domain: empty entry");
  if (NON_ASCII.test(text)) {
    throw domainError(text, "non-ASCII characters (write the xn-- form)");
  }
  if (text.startsWith("[")) throw domainError(text, "an address literal");
  if (text.includes("*")) throw domainError(text, "a * wildcard (write .example.com)");
  const lowered = lowerAscii(text);
  const withoutRoot = lowered.endsWith(".") ? lowered.slice(0, -1) : lowered;
  const isWildcard = withoutRoot.startsWith(".");
  const name = isWildcard ? withoutRoot.slice(1) : withoutRoot;
  if (name.length > MAX_NAME_LENGTH) {
    throw domainError(text, `a name longer than ${MAX_NAME_LENGTH} characters`);
  }
  const labels = name.split(".");
  for (const label of labels) checkLabel(text, label);
  if (ALL_DIGITS.test(labels[labels.length - 1])) {
    throw domainError(text, "an all-digit last label (an IP address is not a domain)");
  }
  return withoutRoot;
}

/**
 * The form in which a recipient's domain is compared and stored: ASCII letters
 * lower-cased (as in DNS) and one trailing dot stripped. No validation.
 *
 * @param domain The domain of a recipient address.
 * @returns The domain, lower-case, without a trailing dot.
 *
 * @example
 * ```ts
 * import { normalizeRecipientDomain } from "@tollgate/tollgate/relay";
 * console.log(normalizeRecipientDomain("Domain.DE.")); // "domain.de"
 * ```
 */
export function normalizeRecipientDomain(domain: string): string {
  const lowered = lowerAscii(domain);
  return lowered.endsWith(".") ? lowered.slice(0, -1) : lowered;
}

/**
 * The `rcpthosts` entries that would make a domain local, in qmail's order.
 *
 * The domain itself, then each parent with a leading dot. The domain is
 * lower-cased (ASCII letters only, as in DNS) and one trailing dot is
 * stripped. An empty domain or an address literal (`[192.0.2.1]`) has no
 * candidates: entries are names, so mail to a literal is never local.
 *
 * @param domain The domain of a recipient address.
 * @returns The candidate entries, most specific first.
 *
 * @example
 * ```ts
 * import { domainCandidates } from "@tollgate/tollgate/relay";
 * console.log(domainCandidates("mx.a.example.com"));
 * // ["mx.a.example.com", ".a.example.com", ".example.com", ".com"]
 * ```
 */
export function domainCandidates(domain: string): string[] {
  const name = normalizeRecipientDomain(domain);
  if (name === "" || name.startsWith("[")) return [];
  const candidates = [name];
  for (let index = 1; index < name.length; index++) {
    if (name[index] === ".") candidates.push(name.slice(index));
  }
  return candidates;
}

/**
 * Whether a domain is local according to a list of `rcpthosts` entries.
 *
 * `example.com` matches only `example.com`; `.example.com` matches every
 * subdomain (`a.example.com`, `b.a.example.com`) but not `example.com`. The
 * domain compares case-insensitively; entries must be in the normal form
 * that {@linkcode normalizeDomainEntry} returns (as the domain store keeps them).
 *
 * @param domain The domain of a recipient address.
 * @param entries The normalised entries; a `Set` is used as it is.
 * @returns Whether one of the domain's candidates is an entry.
 *
 * @example
 * ```ts
 * import { isLocalDomain } from "@tollgate/tollgate/relay";
 * const entries = ["example.com", ".example.net"];
 * console.log(isLocalDomain("EXAMPLE.com", entries)); // true
 * console.log(isLocalDomain("mx.example.net", entries)); // true
 * console.log(isLocalDomain("example.net", entries)); // false
 * ```
 */
export function isLocalDomain(domain: string, entries: Iterable<string> | Set<string>): boolean {
  const set = entries instanceof Set ? entries : new Set(entries);
  return domainCandidates(domain).some((candidate) => set.has(candidate));
}
