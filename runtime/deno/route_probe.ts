/**
 * The admin API's route test on top of the SMTP client's `probeRoute`.
 *
 * @module
 */
import type { RouteProbeResult } from "../../admin/deps.ts";
import type { Route } from "../../delivery/routes.ts";
import { routeTarget, type RouteTargetOptions } from "../../delivery/route_target.ts";
import { probeRoute } from "./smtp_client.ts";

/**
 * The admin API's `probeRoute` dependency: tests a route's relay with the
 * SMTP client's `probeRoute`, greeting it as `options.ehloName`.
 *
 * @example
 * ```ts ignore
 * import { createAdminApp } from "@tollgate/tollgate/admin";
 * import { createRouteProbe } from "@tollgate/tollgate/deno";
 * const probeRoute = createRouteProbe({ ehloName: "mail.domain.example" });
 * // createAdminApp({ ..., probeRoute });
 * ```
 */
export function createRouteProbe(
  options: RouteTargetOptions,
): (route: Route) => Promise<RouteProbeResult> {
  return (route) => probeRoute(routeTarget(route, options));
}
