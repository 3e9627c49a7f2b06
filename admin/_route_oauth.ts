/**
 * A route's OAuth 2.0 settings in the admin API: the `auth` object of
 * `PUT /api/routes/{pattern}` (`{"mechanism", "user", "oauth2": {...}}`), which
 * secrets a `PUT` keeps, and how a route shows them: whether each secret is
 * set, never the secret.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { grantOf } from "../delivery/oauth_token_request.ts";
import type { OAuthRouteState } from "../delivery/oauth_tokens.ts";
import type { Route, RouteOAuth2 } from "../delivery/routes.ts";

/** The `auth` object of a route `PUT`. */
export const oauthAuthBody = z.strictObject({
  mechanism: z.enum(["xoauth2", "oauthbearer"]),
  user: z.string().openapi({ description: "The mailbox the token is for." }),
  oauth2: z.strictObject({
    tokenUrl: z.string(),
    clientId: z.string(),
    clientSecret: z.string().optional().openapi({
      description: "Write-only; left out, the stored one is kept for the same token URL and " +
        "client id.",
    }),
    refreshToken: z.string().nullable().optional().openapi({
      description: "Write-only; left out, the stored one is kept; `null` removes it (the " +
        "client credentials grant from then on).",
    }),
    scope: z.string().optional(),
  }),
}).openapi("RouteOAuthSettings", { description: "OAuth 2.0 for the relay's AUTH." });

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

/** How the admin API shows a route's OAuth 2.0 settings: secrets only as "set or not". */
export const OAuthViewSchema = z.object({
  mechanism: z.enum(["xoauth2", "oauthbearer"]),
  user: z.string().openapi({ description: "The mailbox the token is for." }),
  oauth2: z.object({
    tokenUrl: z.string(),
    clientId: z.string(),
    scope: z.string().optional(),
    grant: z.enum(["client_credentials", "refresh_token"]),
    clientSecretSet: z.boolean(),
    refreshTokenSet: z.boolean(),
  }),
  state: z.object({
    status: z.enum(["ok", "failing", "broken"]),
    detail: z.string(),
    since: z.string().openapi({ format: "date-time" }),
    tokenExpiresAt: z.string().optional().openapi({ format: "date-time" }),
  }).optional().openapi({ description: "The token state, once a token was asked for." }),
}).openapi("RouteOAuthView");

/** A route's OAuth 2.0 settings as the admin API shows them. */
export type OAuthView = z.infer<typeof OAuthViewSchema>;

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
