/**
 * From a stored route to an outbound connection target, and the route test.
 *
 * @module
 */
import { type OAuthProbeStep, probeWithToken } from "./oauth_delivery.ts";
import type { OAuthTokens } from "./oauth_tokens.ts";
import type { OutboundTarget } from "./outbound_types.ts";
import { type Route, routePort } from "./routes.ts";

/**
 * What every route target shares: the EHLO name and, optionally, private CAs to trust.
 *
 * @example
 * ```ts
 * import { routeTarget, type RouteTargetOptions } from "@tollgate/tollgate/delivery";
 * const options: RouteTargetOptions = { ehloName: "mail.domain.example" };
 * const route = { pattern: "*", relay: "mail.provider.example", tls: "implicit" as const };
 * const target = routeTarget(route, options);
 * console.log(target.port, target.ehloName); // 465 "mail.domain.example"
 * ```
 */
export interface RouteTargetOptions {
  /** The name sent with EHLO. */
  ehloName: string;
  /** PEM certificates to trust instead of the system's roots (a private relay's CA). */
  caCertificates?: string[];
}

/**
 * The connection target for a route with a relay host: its host and port
 * ({@linkcode routePort}), TLS mode, credentials and mechanisms. The relay
 * host is also the name its certificate must carry.
 *
 * @throws {RangeError} If the route has no relay host (it delivers to MX hosts).
 *
 * @example
 * ```ts
 * import { routeTarget } from "@tollgate/tollgate/delivery";
 * const target = routeTarget(
 *   { pattern: "*", relay: "mail.provider.example", port: 587, tls: "starttls" },
 *   { ehloName: "mail.domain.example" },
 * );
 * console.log(target.host, target.port, target.tls); // "mail.provider.example" 587 "starttls"
 * ```
 */
export function routeTarget(route: Route, options: RouteTargetOptions): OutboundTarget {
  if (route.relay === undefined) {
    throw new RangeError(`Cannot connect route ${route.pattern}: it has no relay host`);
  }
  const target: OutboundTarget = {
    host: route.relay,
    port: routePort(route),
    tls: route.tls,
    ehloName: options.ehloName,
  };
  if (options.caCertificates !== undefined) target.caCertificates = [...options.caCertificates];
  if (route.oauth2 !== undefined) {
    target.oauth = { pattern: route.pattern, username: route.username, oauth2: route.oauth2 };
  } else if (route.username !== undefined && route.password !== undefined) {
    target.auth = { username: route.username, password: route.password };
    if (route.mechanisms !== undefined) target.auth.mechanisms = [...route.mechanisms];
  }
  return target;
}

/**
 * The admin API's route test: tests a route's relay with `options.probe`
 * (the SMTP client's probe), greeting it as `options.ehloName`; an OAuth
 * route's test starts with a fresh token from `options.tokens`.
 *
 * @example
 * ```ts
 * import { createRouteProbe, OAuthTokens } from "@tollgate/tollgate/delivery";
 * const probeRoute = createRouteProbe({
 *   ehloName: "mail.domain.example",
 *   tokens: new OAuthTokens(),
 *   probe: (target) =>
 *     Promise.resolve({ steps: [{ step: "result", ok: true, detail: target.host }] }),
 * });
 * const { steps } = await probeRoute({ pattern: "*", relay: "192.0.2.25", tls: "none" });
 * console.log(steps[0].detail); // "192.0.2.25"
 * ```
 */
export function createRouteProbe(
  options: RouteTargetOptions & {
    tokens: OAuthTokens;
    probe: (target: OutboundTarget) => Promise<{ steps: OAuthProbeStep[] }>;
  },
): (route: Route) => Promise<{ steps: OAuthProbeStep[] }> {
  return (route) => probeWithToken(routeTarget(route, options), options.tokens, options.probe);
}
