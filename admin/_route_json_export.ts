/**
 * `GET /api/routes/export?form=json`: every route as the admin API shows it,
 * OAuth 2.0 routes included, and a note that no secret is in it.
 *
 * @module
 */
import type { Route } from "../delivery/routes.ts";
import { type RouteView, routeView } from "./_route_view.ts";

/** The note every JSON export carries. */
export const JSON_EXPORT_SECRETS_NOTE =
  "Secrets are not exported: route passwords, OAuth 2.0 client secrets and refresh tokens " +
  "are left out (clientSecretSet/refreshTokenSet say which were set); give them again " +
  "with PUT /api/routes/{pattern} after restoring";

/** The export: `{ secrets, routes }`. */
export function routesAsJson(routes: Route[]): { secrets: string; routes: RouteView[] } {
  return {
    secrets: JSON_EXPORT_SECRETS_NOTE,
    routes: routes.map((route) => routeView(route)),
  };
}
