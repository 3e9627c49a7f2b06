/**
 * Parsing of the `MAIL FROM:` and `RCPT TO:` arguments (RFC 5321 §4.1.2).
 *
 * Lenient where real clients differ and it is harmless (a space after the
 * colon, a missing pair of angle brackets, a source route to ignore); strict
 * where it matters (the address itself, its lengths, the parameters' form).
 *
 * @module
 */

/**
 * A parsed `MAIL`/`RCPT` argument: the address and the ESMTP parameters.
 *
 * @example
 * ```ts
 * import type { PathResult } from "@tollgate/tollgate/smtp";
 * const result: PathResult = {
 *   ok: true, address: "a@example.org", params: new Map([["SIZE", "10"]]),
 * };
 * if (result.ok) console.log(result.params.get("SIZE")); // "10"
 * ```
 */
export type PathResult =
  | {
    ok: true;
    /** `local@domain` with the domain lower-cased; `""` for the null path `<>`. */
    address: string;
    /** ESMTP parameters by upper-case keyword; a keyword without `=` maps to `""`. */
    params: Map<string, string>;
  }
  | { ok: false; reason: string };

const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const ADDRESS_LITERAL = /^\[(?:\d{1,3}(?:\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)\]$/;
const PARAM = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:=([\x21-\x3c\x3e-\x7e]+))?$/;

/**
 * Parses the text after `MAIL` or `RCPT`: `FROM:<a@b> SIZE=10` or `TO:<c@d>`.
 *
 * @example
 * ```ts
 * import { parsePath } from "@tollgate/tollgate/smtp";
 * const result = parsePath("FROM:<Test@Domain.DE> SIZE=1024", "FROM");
 * if (result.ok) console.log(result.address, result.params.get("SIZE")); // Test@domain.de 1024
 * ```
 */
export function parsePath(argument: string, keyword: "FROM" | "TO"): PathResult {
  const prefix = argument.slice(0, keyword.length + 1).toUpperCase();
  if (prefix !== `${keyword}:`) return { ok: false, reason: `expected ${keyword}:<address>` };
  const rest = argument.slice(keyword.length + 1).trimStart();
  let pathText: string;
  let paramText: string;
  if (rest.startsWith("<")) {
    const end = closingBracket(rest);
    if (end < 0) return { ok: false, reason: "missing >" };
    pathText = rest.slice(1, end);
    paramText = rest.slice(end + 1);
    if (paramText !== "" && !paramText.startsWith(" ")) {
      return { ok: false, reason: "text after >" };
    }
  } else {
    const space = rest.indexOf(" ");
    pathText = space < 0 ? rest : rest.slice(0, space);
    paramText = space < 0 ? "" : rest.slice(space);
  }
  const params = parseParams(paramText.trim());
  if (!params) return { ok: false, reason: "malformed parameters" };
  if (pathText === "") {
    return keyword === "FROM"
      ? { ok: true, address: "", params }
      : { ok: false, reason: "empty recipient" };
  }
  const address = parseMailbox(stripSourceRoute(pathText));
  if (typeof address !== "string") return { ok: false, reason: address.reason };
  return { ok: true, address, params };
}

/**
 * Validates a mailbox `local@domain` and returns it with the domain
 * lower-cased, or the reason it is not one.
 *
 * @example
 * ```ts
 * import { parseMailbox } from "@tollgate/tollgate/smtp";
 * console.log(parseMailbox("Test@Domain.DE")); // "Test@domain.de"
 * console.log(parseMailbox("no-at-sign")); // { reason: "missing @domain" }
 * ```
 */
export function parseMailbox(text: string): string | { reason: string } {
  const at = text.lastIndexOf("@");
  if (at < 0) return { reason: "missing @domain" };
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local === "" || local.length > 64) return { reason: "local part empty or over 64 octets" };
  if (!isDotAtom(local) && !QUOTED.test(local)) return { reason: "invalid local part" };
  if (domain.length > 255) return { reason: "domain over 255 octets" };
  if (!ADDRESS_LITERAL.test(domain)) {
    const labels = domain.replace(/\.$/, "").split(".");
    if (!labels.every((label) => LABEL.test(label))) return { reason: "invalid domain" };
  }
  return `${local}@${domain.replace(/\.$/, "").toLowerCase()}`;
}

function isDotAtom(text: string): boolean {
  return text.split(".").every((atom) => ATEXT.test(atom));
}

/** `<@relay1,@relay2:user@domain>`: RFC 5321 §3.6.1 says to accept and ignore the route. */
function stripSourceRoute(path: string): string {
  if (!path.startsWith("@")) return path;
  const colon = path.indexOf(":");
  return colon < 0 ? path : path.slice(colon + 1);
}

/** The index of the `>` that closes the path, skipping quoted local parts. */
function closingBracket(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === "\\") i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === ">" && !quoted) return i;
  }
  return -1;
}

function parseParams(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  if (text === "") return params;
  for (const word of text.split(/ +/)) {
    const match = PARAM.exec(word);
    if (!match) return undefined;
    params.set(match[1].toUpperCase(), match[2] ?? "");
  }
  return params;
}
