/**
 * Copies a route field by field, so that no backend keeps (or hands back) a
 * caller's object, stray properties, or `undefined`-valued optional fields.
 *
 * @module
 */
import type { Route, RouteOAuth2 } from "./types.ts";

/**
 * A fresh copy of a route with only the fields of {@linkcode Route}.
 *
 * @example
 * ```ts
 * import { copyRoute } from "./route_record.ts";
 * const route = copyRoute({ pattern: "*", relay: undefined, tls: "opportunistic" });
 * console.log("relay" in route); // false
 * ```
 */
export function copyRoute(route: Route): Route {
  const copy: Route = { pattern: route.pattern, tls: route.tls };
  if (route.relay !== undefined) copy.relay = route.relay;
  if (route.port !== undefined) copy.port = route.port;
  if (route.username !== undefined) copy.username = route.username;
  if (route.password !== undefined) copy.password = route.password;
  if (route.mechanisms !== undefined) copy.mechanisms = [...route.mechanisms];
  if (route.oauth2 !== undefined) copy.oauth2 = copyOAuth2(route.oauth2);
  return copy;
}

/**
 * A fresh copy of a route's OAuth 2.0 client with only its known fields.
 *
 * @example
 * ```ts
 * import { copyOAuth2 } from "./route_record.ts";
 * const oauth2 = copyOAuth2({
 *   mechanism: "xoauth2", tokenUrl: "https://idp.example/token", clientId: "id",
 *   clientSecret: "secret", scope: undefined,
 * });
 * console.log("scope" in oauth2); // false
 * ```
 */
export function copyOAuth2(oauth2: RouteOAuth2): RouteOAuth2 {
  const { mechanism, tokenUrl, clientId, clientSecret, refreshToken, scope } = oauth2;
  const copy: RouteOAuth2 = { mechanism, tokenUrl, clientId, clientSecret };
  if (refreshToken !== undefined) copy.refreshToken = refreshToken;
  if (scope !== undefined) copy.scope = scope;
  return copy;
}
