/**
 * Outbound routes (qmail's `smtproutes`): where mail for a domain goes, and how
 * Tollgate secures the connection and authenticates there.
 *
 * @module
 */

/**
 * How a connection to the route's relay is secured.
 *
 * - `starttls`: STARTTLS is required and the certificate is verified; no
 *   mail (and no password) goes over a connection without it.
 * - `implicit`: TLS from the first byte (SMTPS, RFC 8314; port 465).
 * - `opportunistic`: STARTTLS when offered, certificate not verified, plain
 *   text otherwise (as for MX hosts). Credentials still need TLS.
 * - `none`: never TLS. Credentials go in clear text: only for a relay on a
 *   trusted network.
 *
 * @example
 * ```ts
 * import type { TlsMode } from "@tollgate/tollgate/store";
 * const modes: TlsMode[] = ["starttls", "implicit", "opportunistic", "none"];
 * console.log(modes.length); // 4
 * ```
 */
export type TlsMode = "starttls" | "implicit" | "opportunistic" | "none";

/**
 * A SASL mechanism the client may use to authenticate at a relay.
 *
 * @example
 * ```ts
 * import type { RouteMechanism } from "@tollgate/tollgate/store";
 * const allowed: RouteMechanism[] = ["CRAM-MD5", "PLAIN"];
 * console.log(allowed.includes("LOGIN")); // false
 * ```
 */
export type RouteMechanism = "CRAM-MD5" | "PLAIN" | "LOGIN";

/**
 * The SASL mechanisms that carry an OAuth 2.0 access token (XOAUTH2, RFC 7628's OAUTHBEARER).
 *
 * @example
 * ```ts
 * import type { OAuthMechanism } from "@tollgate/tollgate/store";
 * const google: OAuthMechanism = "xoauth2";
 * console.log(google); // "xoauth2"
 * ```
 */
export type OAuthMechanism = "xoauth2" | "oauthbearer";

/**
 * A route's OAuth 2.0 client: where and how Tollgate gets the access token it
 * sends to the relay. Without `refreshToken` the client-credentials grant is
 * used (Microsoft 365 app-only SMTP), with it the refresh-token grant (Google).
 * The secrets are stored as given, like route passwords, and never shown.
 *
 * @example
 * ```ts
 * import type { RouteOAuth2 } from "@tollgate/tollgate/store";
 * const oauth2: RouteOAuth2 = {
 *   mechanism: "xoauth2",
 *   tokenUrl: "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token",
 *   clientId: "00000000-0000-0000-0000-000000000000",
 *   clientSecret: "secret",
 *   scope: "https://outlook.office365.com/.default",
 * };
 * console.log(oauth2.refreshToken === undefined); // true: client credentials
 * ```
 */
export interface RouteOAuth2 {
  /** The SASL mechanism used at the relay. */
  mechanism: OAuthMechanism;
  /** The authorization server's token endpoint (https, or http on loopback). */
  tokenUrl: string;
  /** The OAuth client's id. */
  clientId: string;
  /** The OAuth client's secret: never shown by the admin API. */
  clientSecret: string;
  /** A refresh token (refresh-token grant); absent means the client-credentials grant. */
  refreshToken?: string;
  /** The scope to ask for; absent means none is sent. */
  scope?: string;
}

/**
 * One outbound route.
 *
 * @example
 * ```ts
 * import type { Route } from "@tollgate/tollgate/store";
 * const route: Route = {
 *   pattern: "*",
 *   relay: "mail.provider.example",
 *   port: 587,
 *   username: "trottel",
 *   password: "ich",
 *   tls: "starttls",
 * };
 * console.log(route.pattern); // "*"
 * ```
 */
export interface Route {
  /** `example.com`, `.example.com` or `*`, normalized (`normalizeRoutePattern`, delivery). */
  pattern: string;
  /** The relay's host name or IP address; absent means "use the domain's MX hosts". */
  relay?: string;
  /** The port; absent means `routePort`'s default (25, or 465 for `implicit`). */
  port?: number;
  /** The SMTP AUTH user name at the relay; set together with `password`. */
  username?: string;
  /** The SMTP AUTH password: kept for outbound AUTH, never shown by the admin API. */
  password?: string;
  /** How the connection is secured. */
  tls: TlsMode;
  /** The mechanisms allowed, in order of preference; absent means CRAM-MD5, PLAIN, LOGIN. */
  mechanisms?: RouteMechanism[];
  /** OAuth 2.0 instead of a password: `username` is then the mailbox the token is for. */
  oauth2?: RouteOAuth2;
}

/**
 * Outbound routes (qmail's `smtproutes`), keyed by their normalised pattern.
 *
 * Passwords are stored as given, because the client must send them to the
 * relay; the admin API never hands them out.
 *
 * @example
 * ```ts
 * import { MemoryRouteStore } from "@tollgate/tollgate/store";
 * const routes = new MemoryRouteStore();
 * await routes.put({ pattern: "*", relay: "mail.provider.example", tls: "starttls" });
 * console.log((await routes.list()).map((route) => route.pattern)); // ["*"]
 * ```
 */
export interface RouteStore {
  /** Every route, sorted by pattern. */
  list(): Promise<Route[]>;
  /** The route with this exact pattern, or undefined. */
  get(pattern: string): Promise<Route | undefined>;
  /** Creates or replaces the route with `route.pattern`. */
  put(route: Route): Promise<void>;
  /** Creates or replaces every route in one step: all of them, or on failure none. */
  putAll(routes: Route[]): Promise<void>;
  /** Removes the route; returns whether it existed. */
  remove(pattern: string): Promise<boolean>;
}
