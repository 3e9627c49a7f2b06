/**
 * A route's OAuth 2.0 settings in the admin API: the `auth` object of
 * `PUT /api/routes/{pattern}` (`{"mechanism", "user", "oauth2": {...}}`), which
 * secrets a `PUT` keeps, and how a route shows them: whether each secret is
 * set, never the secret.
 *
 * @module
 */
import { z } from "zod";
import { grantOf } from "../delivery/oauth_token_request.ts";
import type { OAuthRouteState } from "../delivery/oauth_tokens.ts";
import type { Route, RouteOAuth2 } from "../delivery/routes.ts";

/** The `auth` object of a route `PUT`. */
export const oauthAuthBody = z.strictObject({
  mechanism: z.enum(["xoauth2", "oauthbearer"]),
  user: z.string(),
  oauth2: z.strictObject({
    tokenUrl: z.string(),
    clientId: z.string(),
    clientSecret: z.string().optional(),
    refreshToken: z.string().nullable().optional(),
    scope: z.string().optional(),
  }),
});

/** What a `PUT` body says about credentials. */
interface CredentialsBody {
  username?: string;
  password?: string;
  mechanisms?: unknown[];
  auth?: z.infer<typeof oauthAuthBody>;
}

/** The route fields from a `PUT`'s `auth`, or why they cannot be used. */
export type OAuthFields =
  | { kind: "none" }
  | { kind: "fields"; username: string; oauth2: RouteOAuth2; kept: string[] }
  | { kind: "invalid"; error: string };

/**
 * The OAuth route fields of a `PUT`: a missing `clientSecret` or
 * `refreshToken` keeps the stored one when the token URL and client id are
 * the same (`"refreshToken": null` removes it: client credentials from then on).
 */
export function oauthFields(body: CredentialsBody, existing: Route | undefined): OAuthFields {
  const auth = body.auth;
  if (auth === undefined) return { kind: "none" };
  if (body.username !== undefined || body.password !== undefined || body.mechanisms !== undefined) {
    return {
      kind: "invalid",
      error: "Cannot parse route: give either auth (OAuth 2.0) or username/password/mechanisms",
    };
  }
  const given = auth.oauth2;
  const stored = existing?.oauth2;
  const same = stored?.tokenUrl === given.tokenUrl && stored?.clientId === given.clientId;
  const kept: string[] = [];
  let clientSecret = given.clientSecret;
  if (clientSecret === undefined && same) {
    clientSecret = stored!.clientSecret;
    kept.push("client secret");
  }
  if (clientSecret === undefined) {
    return { kind: "invalid", error: "Cannot parse route: the OAuth 2.0 client secret is missing" };
  }
  const oauth2: RouteOAuth2 = {
    mechanism: auth.mechanism,
    tokenUrl: given.tokenUrl,
    clientId: given.clientId,
    clientSecret,
  };
  if (typeof given.refreshToken === "string") oauth2.refreshToken = given.refreshToken;
  else if (given.refreshToken === undefined && same && stored!.refreshToken !== undefined) {
    oauth2.refreshToken = stored!.refreshToken;
    kept.push("refresh token");
  }
  if (given.scope !== undefined) oauth2.scope = given.scope;
  return { kind: "fields", username: auth.user, oauth2, kept };
}

/** How the admin API shows a route's OAuth 2.0 settings. */
export interface OAuthView {
  /** `xoauth2` or `oauthbearer`. */
  mechanism: RouteOAuth2["mechanism"];
  /** The mailbox the token is for. */
  user: string;
  /** The client, its secrets only as "set or not". */
  oauth2: {
    tokenUrl: string;
    clientId: string;
    scope?: string;
    grant: "client_credentials" | "refresh_token";
    clientSecretSet: boolean;
    refreshTokenSet: boolean;
  };
  /** The token state, once a token was asked for. */
  state?: Omit<OAuthRouteState, "since" | "tokenExpiresAt"> & {
    since: string;
    tokenExpiresAt?: string;
  };
}

/** The `auth` part of a route's view; undefined for a route without OAuth. */
export function oauthView(route: Route, state?: OAuthRouteState): OAuthView | undefined {
  const oauth2 = route.oauth2;
  if (oauth2 === undefined) return undefined;
  const view: OAuthView = {
    mechanism: oauth2.mechanism,
    user: route.username ?? "",
    oauth2: {
      tokenUrl: oauth2.tokenUrl,
      clientId: oauth2.clientId,
      ...(oauth2.scope === undefined ? {} : { scope: oauth2.scope }),
      grant: grantOf(oauth2),
      clientSecretSet: oauth2.clientSecret !== "",
      refreshTokenSet: oauth2.refreshToken !== undefined,
    },
  };
  if (state !== undefined) {
    const { status, detail, since, tokenExpiresAt } = state;
    view.state = { status, detail, since: new Date(since).toISOString() };
    if (tokenExpiresAt !== undefined) {
      view.state.tokenExpiresAt = new Date(tokenExpiresAt).toISOString();
    }
  }
  return view;
}

/** The OAuth secrets of a route, for redaction. */
export function oauthSecrets(route: Route): string[] {
  const oauth2 = route.oauth2;
  if (oauth2 === undefined) return [];
  return oauth2.refreshToken === undefined
    ? [oauth2.clientSecret]
    : [oauth2.clientSecret, oauth2.refreshToken];
}
