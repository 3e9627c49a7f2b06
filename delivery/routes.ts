/**
 * Outbound routes: qmail's `control/smtproutes`, as data, and its lookup.
 *
 * A route is keyed by a pattern: `example.com` (that domain only),
 * `.example.com` (its subdomains only, not `example.com` itself) or `*` (the
 * default; an empty domain in `smtproutes`). For a recipient domain the
 * longest matching pattern wins, exactly as qmail-remote looks it up: the
 * domain itself, then each suffix that starts at a dot, then the default.
 * A route without a relay host means "deliver to the domain's MX hosts", and
 * so does having no route at all. The file grammar is in `smtproutes.ts`.
 *
 * @module
 */

import { domainCandidates, normalizeDomainEntry } from "../relay/local_domains.ts";
import type { Route } from "../store/types.ts";

/** The route record and its fields are storage types, defined with the other records. */
export type {
  OAuthMechanism,
  Route,
  RouteMechanism,
  RouteOAuth2,
  TlsMode,
} from "../store/types.ts";

/**
 * Which route applies to a domain: the route (undefined means MX delivery
 * without a route), the pattern that matched, and a sentence saying why.
 *
 * @example
 * ```ts
 * import { resolveRoute, type RouteMatch } from "@tollgate/tollgate/delivery";
 * const routes = [{ pattern: "*", relay: "mail.provider.de", tls: "starttls" as const }];
 * const match: RouteMatch = resolveRoute("example.net", routes);
 * console.log(match.matched, match.route?.relay); // "*" "mail.provider.de"
 * ```
 */
export interface RouteMatch {
  /** The route that applies, or undefined when none matches. */
  route: Route | undefined;
  /** The pattern that matched, or undefined when none matches. */
  matched: string | undefined;
  /** Why, for an operator: which patterns were tried and what happens. */
  why: string;
}

/**
 * The pattern of the default route (an empty domain in `smtproutes`).
 *
 * @example
 * ```ts
 * import { DEFAULT_ROUTE_PATTERN, normalizeRoutePattern } from "@tollgate/tollgate/delivery";
 * const pattern = normalizeRoutePattern(""); // smtproutes' empty domain
 * console.log(pattern === DEFAULT_ROUTE_PATTERN, DEFAULT_ROUTE_PATTERN); // true "*"
 * ```
 */
export const DEFAULT_ROUTE_PATTERN = "*";

/**
 * Validates a route pattern and returns its normal form: `*` for the default
 * (also written as an empty string, as in `smtproutes`), otherwise a domain
 * (`example.com`) or a subdomain pattern (`.example.com`), lower-cased and
 * without a trailing dot, with the rules of {@linkcode normalizeDomainEntry}.
 *
 * @throws {RangeError} If the text is neither `*`, empty, nor a domain pattern.
 *
 * @example
 * ```ts
 * import { normalizeRoutePattern } from "@tollgate/tollgate/delivery";
 * console.log(normalizeRoutePattern("")); // "*"
 * console.log(normalizeRoutePattern(".TestDomain.DE.")); // ".testdomain.de"
 * ```
 */
export function normalizeRoutePattern(text: string): string {
  if (text === "" || text === DEFAULT_ROUTE_PATTERN) return DEFAULT_ROUTE_PATTERN;
  try {
    return normalizeDomainEntry(text);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new RangeError(error.message.replace(/^Cannot parse domain/, "Cannot parse route"));
  }
}

/**
 * The port a route connects to: its own, else 465 for `implicit` TLS and 25
 * otherwise.
 *
 * @example
 * ```ts
 * import { routePort } from "@tollgate/tollgate/delivery";
 * console.log(routePort({ tls: "implicit" })); // 465
 * ```
 */
export function routePort(route: Pick<Route, "port" | "tls">): number {
  return route.port ?? (route.tls === "implicit" ? 465 : 25);
}

/**
 * Finds the route for a recipient domain with qmail's lookup: the domain
 * itself, then each suffix starting at a dot (`.b.example.com`,
 * `.example.com`, `.com`), then the default `*`; the first pattern present
 * wins, which is the longest match. The domain compares case-insensitively;
 * route patterns must be in normal form. An address literal (`[192.0.2.1]`)
 * can only match the default.
 *
 * @param domain The recipient's domain.
 * @param routes The routes to choose from.
 * @returns The matching route (or none) and a sentence saying why.
 *
 * @example
 * ```ts
 * import { resolveRoute } from "@tollgate/tollgate/delivery";
 * const routes = [
 *   { pattern: "testdomain.de", relay: "mail.provider.de", tls: "starttls" as const },
 *   { pattern: ".testdomain.de", relay: "mail.provider.de", tls: "starttls" as const },
 * ];
 * console.log(resolveRoute("sub.testdomain.de", routes).matched); // ".testdomain.de"
 * console.log(resolveRoute("example.net", routes).route); // undefined
 * ```
 */
export function resolveRoute(domain: string, routes: Iterable<Route>): RouteMatch {
  const byPattern = new Map<string, Route>();
  for (const route of routes) byPattern.set(route.pattern, route);
  const candidates = [...domainCandidates(domain), DEFAULT_ROUTE_PATTERN];
  for (const pattern of candidates) {
    const route = byPattern.get(pattern);
    if (route !== undefined) {
      return { route, matched: pattern, why: explainMatch(domain, route, candidates) };
    }
  }
  const tried = candidates.map((pattern) => JSON.stringify(pattern)).join(", ");
  return {
    route: undefined,
    matched: undefined,
    why: `No route matches "${domain}" (tried ${tried}): delivered to its MX hosts without AUTH`,
  };
}

function explainMatch(domain: string, route: Route, candidates: string[]): string {
  const skipped = candidates.slice(0, candidates.indexOf(route.pattern));
  const scope = route.pattern === DEFAULT_ROUTE_PATTERN
    ? `the default route "*"`
    : route.pattern.startsWith(".")
    ? `the route "${route.pattern}" for subdomains of ${route.pattern.slice(1)}`
    : `the route "${route.pattern}"`;
  const longer = skipped.length === 0
    ? ""
    : ` (no route for ${skipped.map((pattern) => JSON.stringify(pattern)).join(", ")})`;
  const target = route.relay === undefined
    ? `delivered to its MX hosts${route.port === undefined ? "" : ` on port ${route.port}`}`
    : `relayed through ${route.relay}:${routePort(route)} with TLS ${route.tls}`;
  const auth = route.username === undefined
    ? "without AUTH"
    : `with ${
      route.oauth2 ? `OAuth 2.0 ${route.oauth2.mechanism.toUpperCase()}` : "AUTH"
    } as "${route.username}"`;
  return `"${domain}" matches ${scope}${longer}: ${target}, ${auth}`;
}
