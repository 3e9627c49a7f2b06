/**
 * The public face of a route, and the scrubbing of anything a relay or a
 * probe says back: no response of the admin API ever carries a password.
 *
 * @module
 */

import { encodeBase64 } from "../auth/base64.ts";
import type { OAuthRouteState } from "../delivery/oauth_tokens.ts";
import { z } from "@hono/zod-openapi";
import { type Route, routePort } from "../delivery/routes.ts";
import { oauthSecrets, oauthView, OAuthViewSchema } from "./_route_oauth.ts";

/** A route as the admin API shows it: the password left out, the port made explicit. */
export const RouteViewSchema = z.object({
  pattern: z.string().openapi({ description: "`example.com`, `.example.com` or `*`." }),
  delivery: z.enum(["relay", "mx"]).openapi({
    description: "`relay` through the named host, or `mx`: the domain's MX hosts.",
  }),
  relay: z.string().optional().openapi({ description: "The relay host, for `relay` delivery." }),
  port: z.number().int().openapi({ description: "The port (the default when none is set)." }),
  tls: z.enum(["starttls", "implicit", "opportunistic", "none"]),
  username: z.string().optional().openapi({ description: "The AUTH user name." }),
  mechanisms: z.array(z.enum(["CRAM-MD5", "PLAIN", "LOGIN"])).optional().openapi({
    description: "The allowed mechanisms, when the route restricts them.",
  }),
  auth: OAuthViewSchema.optional(),
}).openapi("Route");

/** A route as the admin API shows it. */
export type RouteView = z.infer<typeof RouteViewSchema>;

/** Shows a route without its password (and an OAuth route with its token state). */
export function routeView(route: Route, oauthState?: OAuthRouteState): RouteView {
  const view: RouteView = {
    pattern: route.pattern,
    delivery: route.relay === undefined ? "mx" : "relay",
    ...(route.relay === undefined ? {} : { relay: route.relay }),
    port: routePort(route),
    tls: route.tls,
  };
  if (route.username !== undefined) view.username = route.username;
  if (route.mechanisms !== undefined) view.mechanisms = [...route.mechanisms];
  const auth = oauthView(route, oauthState);
  if (auth !== undefined) view.auth = auth;
  return view;
}

/** One line describing a route for the log: host, port, TLS and AUTH user, no password. */
export function describeRoute(route: Route): string {
  const target = route.relay === undefined
    ? "MX hosts"
    : `${route.relay}:${routePort(route)} (TLS ${route.tls})`;
  const auth = route.username === undefined
    ? ""
    : ` with ${route.oauth2 ? `OAuth 2.0 ${route.oauth2.mechanism}` : "AUTH"} as ${
      JSON.stringify(route.username)
    }`;
  return `${route.pattern} via ${target}${auth}`;
}

/**
 * Replaces every occurrence of a password, and of its base64 forms as AUTH
 * PLAIN and LOGIN would send them, with `[password]`.
 */
export function redactPassword(text: string, route: Route): string {
  const forms = oauthSecrets(route);
  if (route.password !== undefined) forms.push(route.password, encodeBase64(route.password));
  if (route.username !== undefined && route.password !== undefined) {
    forms.push(encodeBase64(`\0${route.username}\0${route.password}`));
  }
  let result = text;
  for (const form of forms) result = result.replaceAll(form, "[password]");
  return result;
}
