/**
 * Building a valid {@linkcode Route} from what an operator wrote: the admin
 * API's JSON and each line of an imported `smtproutes` go through
 * {@linkcode createRoute}, so both refuse the same mistakes with the same words.
 *
 * @module
 */

import ipaddr from "ipaddr.js";
import { normalizeDomainEntry } from "../relay/local_domains.ts";
import { checkOAuthRouteFields, checkRouteOAuth2 } from "./route_oauth2.ts";
import {
  normalizeRoutePattern,
  type Route,
  type RouteMechanism,
  type RouteOAuth2,
  type TlsMode,
} from "./routes.ts";

/**
 * What an operator may say about a route; everything but the pattern.
 *
 * @example
 * ```ts
 * import { createRoute, type RouteFields } from "@tollgate/tollgate/delivery";
 * const fields: RouteFields = {
 *   relay: "mail.provider.de", port: 465, username: "trottel", password: "ich",
 * };
 * console.log(createRoute("*", fields).tls); // "implicit" (port 465)
 * ```
 */
export interface RouteFields {
  /** Host name or IP address (IPv6 also in brackets); absent or empty means MX. */
  relay?: string;
  /** 1..65535. */
  port?: number;
  /** The AUTH user name; needs `password` and `relay`. */
  username?: string;
  /** The AUTH password; needs `username`. */
  password?: string;
  /** Defaults to `implicit` on port 465, else `starttls` with credentials, else `opportunistic`. */
  tls?: TlsMode;
  /** Allowed mechanisms in order of preference, no repeats; needs credentials. */
  mechanisms?: RouteMechanism[];
  /** OAuth 2.0 instead of a password; needs `username` (the mailbox), no password. */
  oauth2?: RouteOAuth2;
}

/**
 * Longer secrets only cost memory; no provider needs them.
 *
 * @example
 * ```ts
 * import { createRoute, MAX_CREDENTIAL_LENGTH } from "@tollgate/tollgate/delivery";
 * const password = "x".repeat(MAX_CREDENTIAL_LENGTH + 1);
 * try {
 *   createRoute("*", { relay: "mail.provider.de", username: "u", password });
 * } catch (error) {
 *   console.log(error instanceof RangeError); // true
 * }
 * ```
 */
export const MAX_CREDENTIAL_LENGTH = 1024;

const TLS_MODES: readonly TlsMode[] = ["starttls", "implicit", "opportunistic", "none"];
const MECHANISMS: readonly RouteMechanism[] = ["CRAM-MD5", "PLAIN", "LOGIN"];
const STRICT_IPV4 =
  /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

function routeError(reason: string): RangeError {
  return new RangeError(`Cannot parse route: ${reason}`);
}

/**
 * Validates a relay host and returns its normal form: a host name
 * lower-cased without a trailing dot, an IPv4 address as written, or an IPv6
 * address in RFC 5952 form; brackets around an address (`[192.0.2.1]`, as in
 * qmail's `smtproutes`) are removed.
 *
 * @throws {RangeError} If the text is neither a host name nor an IP address.
 *
 * @example
 * ```ts
 * import { normalizeRelayHost } from "@tollgate/tollgate/delivery";
 * console.log(normalizeRelayHost("Mail.Provider.DE.")); // "mail.provider.de"
 * console.log(normalizeRelayHost("[2001:DB8::0:1]")); // "2001:db8::1"
 * ```
 */
export function normalizeRelayHost(text: string): string {
  const bracketed = text.startsWith("[") && text.endsWith("]");
  const host = bracketed ? text.slice(1, -1) : text;
  if (STRICT_IPV4.test(host)) return host;
  if (host.includes(":")) {
    if (ipaddr.IPv6.isValid(host)) return ipaddr.IPv6.parse(host).toString();
    throw routeError(`relay host "${text}" is not a host name or IP address`);
  }
  if (bracketed || host.startsWith(".")) {
    throw routeError(`relay host "${text}" is not a host name or IP address`);
  }
  try {
    return normalizeDomainEntry(host);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw routeError(`relay host "${text}" is not a host name or IP address`);
  }
}

function checkCredential(name: string, value: string): void {
  if (value === "") throw routeError(`the ${name} is empty`);
  if (value.length > MAX_CREDENTIAL_LENGTH) {
    throw routeError(`the ${name} is longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  }
  if (value.includes("\0")) {
    throw routeError(`the ${name} contains NUL (AUTH PLAIN cannot carry it)`);
  }
}

function checkMechanisms(mechanisms: RouteMechanism[]): void {
  if (mechanisms.length === 0) throw routeError("the mechanism list is empty");
  for (const [index, mechanism] of mechanisms.entries()) {
    if (!MECHANISMS.includes(mechanism)) {
      throw routeError(`unknown mechanism "${mechanism}" (known: ${MECHANISMS.join(", ")})`);
    }
    if (mechanisms.indexOf(mechanism) !== index) {
      throw routeError(`mechanism ${mechanism} is listed twice`);
    }
  }
}

function defaultTls(port: number | undefined, hasCredentials: boolean): TlsMode {
  if (port === 465) return "implicit";
  return hasCredentials ? "starttls" : "opportunistic";
}

/**
 * Builds a route from a pattern and fields, validating everything: the
 * pattern ({@linkcode normalizeRoutePattern}), the relay
 * ({@linkcode normalizeRelayHost}), the port, the TLS mode and the
 * mechanisms. A user name and a password come together; credentials need a
 * relay host (MX hosts are never given a password) and mechanisms need
 * credentials. A port without a relay is the port used at the MX hosts.
 *
 * @throws {RangeError} With a message saying what is wrong; it never quotes the password.
 *
 * @example
 * ```ts
 * import { createRoute } from "@tollgate/tollgate/delivery";
 * const route = createRoute("TestDomain.de", {
 *   relay: "mail.provider.de", username: "trottel", password: "ich",
 * });
 * console.log(route.pattern, route.tls); // "testdomain.de" "starttls"
 * ```
 */
export function createRoute(pattern: string, fields: RouteFields): Route {
  const normalizedPattern = normalizeRoutePattern(pattern);
  const relay = fields.relay === undefined || fields.relay === ""
    ? undefined
    : normalizeRelayHost(fields.relay);
  const { port, username, password, mechanisms } = fields;
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw routeError(`port ${port} is not a whole number from 1 to 65535`);
  }
  if (username !== undefined) checkCredential("user name", username);
  if (password !== undefined) checkCredential("password", password);
  if (fields.oauth2 !== undefined) checkOAuthRouteFields(fields);
  else if ((username === undefined) !== (password === undefined)) {
    throw routeError(
      username === undefined ? "a password without a user name" : "a user name without a password",
    );
  }
  const hasCredentials = username !== undefined;
  if (hasCredentials && relay === undefined) {
    throw routeError("credentials need a relay host (MX hosts are never sent a password)");
  }
  if (mechanisms !== undefined) {
    if (!hasCredentials) throw routeError("mechanisms are listed but there are no credentials");
    checkMechanisms(mechanisms);
  }
  const tls = fields.tls ?? defaultTls(port, hasCredentials);
  if (!TLS_MODES.includes(tls)) {
    throw routeError(`unknown TLS mode "${tls}" (known: ${TLS_MODES.join(", ")})`);
  }
  const route: Route = { pattern: normalizedPattern, tls };
  if (relay !== undefined) route.relay = relay;
  if (port !== undefined) route.port = port;
  if (hasCredentials) {
    route.username = username;
    if (password !== undefined) route.password = password;
  }
  if (mechanisms !== undefined) route.mechanisms = [...mechanisms];
  if (fields.oauth2 !== undefined) route.oauth2 = checkRouteOAuth2(fields.oauth2);
  return route;
}
