/**
 * Copies a route field by field, so that no backend keeps (or hands back) a
 * caller's object, stray properties, or `undefined`-valued optional fields.
 *
 * @module
 */
import type { Route } from "./types.ts";

/**
 * A fresh copy of a route with only the fields of {@linkcode Route}.
 *
 * @example
 * ```ts
 * import { copyRoute } from "./_route_record.ts";
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
  return copy;
}
