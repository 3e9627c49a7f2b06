/**
 * qmail's `control/smtproutes` file: reading the three forms found in the
 * field, and writing routes back.
 *
 * One route a line, `domain:relay[:port]`, then the credentials:
 *
 * - the seed's patch: `domain:relay[:port] base64user base64password`;
 * - Clegg's and others': the same with the user and password in plain text;
 * - Hoffmann's: `domain:relay:port|user|password` (plain text; the password
 *   is everything after the second `|`).
 *
 * An empty domain is the default route `*`; an empty relay means MX. A relay
 * address may be written in brackets (`[192.0.2.1]`, `[2001:db8::1]`). Blank
 * lines and lines starting with `#` are skipped. Port 465 makes a route
 * `implicit` TLS; credentials make it `starttls`; otherwise `opportunistic`.
 *
 * @module
 */

import { decodeBase64Utf8, encodeBase64 } from "../auth/base64.ts";
import { createRoute, type RouteFields } from "./route_fields.ts";
import { DEFAULT_ROUTE_PATTERN, type Route, routePort } from "./routes.ts";

/**
 * How the seed's whitespace form carries credentials.
 *
 * @example
 * ```ts
 * import { parseSmtproutes, type SmtproutesCredentials } from "@tollgate/tollgate/delivery";
 * const credentials: SmtproutesCredentials = "plain";
 * const { routes } = parseSmtproutes(":mail.provider.de trottel ich\n", { credentials });
 * console.log(routes[0].username); // "trottel"
 * ```
 */
export type SmtproutesCredentials = "base64" | "plain";

/**
 * A line that could not be read: its number (from 1) and why.
 *
 * @example
 * ```ts
 * import { parseSmtproutes, type SmtproutesError } from "@tollgate/tollgate/delivery";
 * const text = "example.net:relay.example\nthis is not a route\n";
 * const errors: SmtproutesError[] = parseSmtproutes(text, { credentials: "base64" }).errors;
 * console.log(errors.map((error) => error.line)); // [2]
 * ```
 */
export interface SmtproutesError {
  /** The line number, counting from 1. */
  line: number;
  /** Why the line cannot be read; never quotes a password. */
  message: string;
}

/**
 * What {@linkcode parseSmtproutes} found: the routes in file order, and every unreadable line.
 *
 * @example
 * ```ts
 * import { type ParsedSmtproutes, parseSmtproutes } from "@tollgate/tollgate/delivery";
 * const text = "example.net:relay.example:2525\n";
 * const parsed: ParsedSmtproutes = parseSmtproutes(text, { credentials: "base64" });
 * console.log(parsed.routes[0].port, parsed.errors); // 2525 []
 * ```
 */
export interface ParsedSmtproutes {
  /** The routes, in the order of their lines. */
  routes: Route[];
  /** The lines that could not be read; a caller imports nothing unless this is empty. */
  errors: SmtproutesError[];
}

const PORT = /^[0-9]{1,5}$/;

interface Head {
  pattern: string;
  relay: string;
  port?: number;
}

function parseHead(head: string): Head {
  const colon = head.indexOf(":");
  if (colon < 0) throw new RangeError("Cannot parse route: missing ':' after the domain");
  const pattern = head.slice(0, colon);
  const target = head.slice(colon + 1);
  let relay: string;
  let portText: string | undefined;
  if (target.startsWith("[")) {
    const close = target.indexOf("]");
    if (close < 0) throw new RangeError("Cannot parse route: missing ']' after the relay address");
    relay = target.slice(0, close + 1);
    const rest = target.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) {
      throw new RangeError(`Cannot parse route: unexpected "${rest}" after the relay address`);
    }
    portText = rest === "" ? undefined : rest.slice(1);
  } else {
    const parts = target.split(":");
    if (parts.length > 2) throw new RangeError("Cannot parse route: too many ':' after the relay");
    [relay, portText] = parts;
  }
  if (portText === undefined) return { pattern, relay };
  if (!PORT.test(portText)) {
    throw new RangeError(`Cannot parse route: port "${portText}" is not a number`);
  }
  return { pattern, relay, port: Number(portText) };
}

function decodeCredential(name: string, text: string): string {
  const decoded = decodeBase64Utf8(text);
  if (decoded !== undefined) return decoded;
  const shown = name === "user name" ? ` "${text}"` : "";
  throw new RangeError(
    `Cannot parse route: the ${name}${shown} is not base64 of UTF-8 text ` +
      `(for plain-text credentials import with credentials=plain)`,
  );
}

function parseLine(line: string, credentials: SmtproutesCredentials): Route {
  const bar = line.indexOf("|");
  if (bar >= 0) {
    const second = line.indexOf("|", bar + 1);
    if (second < 0) {
      throw new RangeError(
        "Cannot parse route: Hoffmann's form needs domain:relay:port|user|password",
      );
    }
    const head = parseHead(line.slice(0, bar));
    const fields: RouteFields = {
      relay: head.relay,
      port: head.port,
      username: line.slice(bar + 1, second),
      password: line.slice(second + 1),
    };
    return createRoute(head.pattern, fields);
  }
  const words = line.split(/[ \t]+/);
  const head = parseHead(words[0]);
  if (words.length === 2) {
    throw new RangeError("Cannot parse route: a user name without a password");
  }
  if (words.length > 3) {
    throw new RangeError(`Cannot parse route: ${words.length} fields, expected 1 or 3`);
  }
  const fields: RouteFields = { relay: head.relay, port: head.port };
  if (words.length === 3) {
    fields.username = credentials === "base64" ? decodeCredential("user name", words[1]) : words[1];
    fields.password = credentials === "base64" ? decodeCredential("password", words[2]) : words[2];
  }
  return createRoute(head.pattern, fields);
}

/**
 * Reads an `smtproutes` file. Each line in the seed's form or the plain-text
 * form (as `options.credentials` says) or in Hoffmann's form (recognised by
 * its `|`) becomes a route; each line that cannot be read, and each second
 * line for a pattern already seen, becomes an error with its line number.
 *
 * @example
 * ```ts
 * import { parseSmtproutes } from "@tollgate/tollgate/delivery";
 * const text = ":mail.provider.de dHJvdHRlbA== aWNo\ntestdomain.de:relay.example:587|kunde|geheim\n";
 * const { routes, errors } = parseSmtproutes(text, { credentials: "base64" });
 * console.log(routes.map((route) => [route.pattern, route.username])); // [["*", "trottel"], ["testdomain.de", "kunde"]]
 * console.log(errors); // []
 * ```
 */
export function parseSmtproutes(
  text: string,
  options: { credentials: SmtproutesCredentials },
): ParsedSmtproutes {
  const routes: Route[] = [];
  const errors: SmtproutesError[] = [];
  const firstLine = new Map<string, number>();
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.replace(/[ \t\r]+$/, "").replace(/^[ \t]+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const number = index + 1;
    let route: Route;
    try {
      route = parseLine(line, options.credentials);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      errors.push({ line: number, message: error.message });
      continue;
    }
    const seen = firstLine.get(route.pattern);
    if (seen !== undefined) {
      errors.push({
        line: number,
        message:
          `Cannot parse route: a second route for "${route.pattern}" (first on line ${seen})`,
      });
      continue;
    }
    firstLine.set(route.pattern, number);
    routes.push(route);
  }
  return { routes, errors };
}

/**
 * How {@linkcode formatSmtproutes} writes the routes.
 *
 * @example
 * ```ts
 * import { formatSmtproutes, type FormatSmtproutesOptions } from "@tollgate/tollgate/delivery";
 * const options: FormatSmtproutesOptions = { withPasswords: true, form: "hoffmann" };
 * const route = {
 *   pattern: "*", relay: "mail.provider.de", port: 587, username: "trottel", password: "ich",
 *   tls: "starttls" as const,
 * };
 * console.log(formatSmtproutes([route], options)); // ":mail.provider.de:587|trottel|ich\n"
 * ```
 */
export interface FormatSmtproutesOptions {
  /** Write the credentials into the lines; otherwise routes with AUTH become comments naming the user. */
  withPasswords: boolean;
  /** `seed` (default): `domain:relay[:port] base64user base64password`; `hoffmann`: `domain:relay:port|user|password`. */
  form?: "seed" | "hoffmann";
}

function formatRelay(relay: string | undefined): string {
  if (relay === undefined) return "";
  return /^[0-9.]+$/.test(relay) || relay.includes(":") ? `[${relay}]` : relay;
}

function impliedTls(route: Route): Route["tls"] {
  if (route.port === 465) return "implicit";
  return route.username === undefined ? "opportunistic" : "starttls";
}

function notesFor(route: Route): string[] {
  const notes: string[] = [];
  if (route.tls !== impliedTls(route)) notes.push(`tls ${route.tls}`);
  if (route.mechanisms !== undefined) notes.push(`mechanisms ${route.mechanisms.join(" ")}`);
  return notes;
}

/** Hoffmann's form cannot carry a line break, a `|` in the user name, or edge blanks. */
function fitsHoffmann(route: Route): boolean {
  return !/[\r\n|]/.test(route.username!) && !/[\r\n]|^[ \t]|[ \t]$/.test(route.password!);
}

function formatLine(route: Route, options: FormatSmtproutesOptions): string {
  const domain = route.pattern === DEFAULT_ROUTE_PATTERN ? "" : route.pattern;
  const head = `${domain}:${formatRelay(route.relay)}`;
  const credentials = options.withPasswords && route.username !== undefined &&
    route.password !== undefined;
  if (options.form === "hoffmann" && credentials && fitsHoffmann(route)) {
    return `${head}:${routePort(route)}|${route.username}|${route.password}`;
  }
  const port = route.port === undefined ? "" : `:${route.port}`;
  if (route.oauth2 !== undefined) {
    const how = `OAuth 2.0 ${route.oauth2.mechanism.toUpperCase()} as ${
      JSON.stringify(route.username)
    }`;
    return `# ${head}${port} (${how}: smtproutes cannot carry it; see the JSON export)`;
  }
  if (route.username !== undefined && !credentials) {
    const user = JSON.stringify(route.username);
    return `# ${head}${port} (AUTH as ${user}; password withheld: export with passwords=true)`;
  }
  if (!credentials) return `${head}${port}`;
  return `${head}${port} ${encodeBase64(route.username!)} ${encodeBase64(route.password!)}`;
}

/**
 * Writes routes as an `smtproutes` file, one line each in the given order;
 * what the file cannot say (a TLS mode other than the one the line implies,
 * mechanisms) goes into a `#` comment above it. Without passwords, a route
 * with credentials is written as a comment naming its user, so that
 * importing the file again leaves that route (and its password) as it is
 * rather than dropping its AUTH.
 *
 * @example
 * ```ts
 * import { formatSmtproutes } from "@tollgate/tollgate/delivery";
 * const routes = [{
 *   pattern: "*", relay: "mail.provider.de", username: "trottel", password: "ich", tls: "starttls" as const,
 * }];
 * console.log(formatSmtproutes(routes, { withPasswords: true })); // ":mail.provider.de dHJvdHRlbA== aWNo\n"
 * ```
 */
export function formatSmtproutes(
  routes: Iterable<Route>,
  options: FormatSmtproutesOptions,
): string {
  let text = "";
  for (const route of routes) {
    for (const note of notesFor(route)) {
      text += `# ${route.pattern}: ${note}\n`;
    }
    text += `${formatLine(route, options)}\n`;
  }
  return text;
}
