/**
 * Delivery and the route test for OAuth 2.0 routes, on top of any SMTP client
 * function: get the route's access token ({@linkcode OAuthTokens}), hand it to
 * the client as the AUTH secret for XOAUTH2 or OAUTHBEARER, and when the relay
 * refuses a cached token (RFC 7628: `334` with a JSON error, the client's dummy
 * reply, then `535`/`454`), drop it and try once more with a new one. No token
 * means every recipient stays queued (`temporary`) with the reason.
 *
 * @module
 */
import type { ClientMechanismName } from "../auth/sasl_client.ts";
import type { RecipientOutcome } from "../smtp/client_types.ts";
import type { OAuthRoute, OAuthTokens } from "./oauth_tokens.ts";

/**
 * What the wrapper needs of a connection target: the OAuth route, and room for the credentials.
 *
 * @example
 * ```ts
 * import type { OAuthCapableTarget } from "@tollgate/tollgate/delivery";
 * const target: OAuthCapableTarget = { oauth: { pattern: "*", username: "me@example.com", oauth2: {
 *   mechanism: "xoauth2", tokenUrl: "https://idp.example/token", clientId: "id", clientSecret: "s",
 * } } };
 * console.log(target.auth); // undefined: `withOAuthTokens` sets it from the token
 * ```
 */
export interface OAuthCapableTarget {
  /** Set for an OAuth route: the token is fetched for it. */
  oauth?: OAuthRoute;
  /** The credentials the client sends; set here from the token. */
  auth?: { username: string; password: string; mechanisms?: readonly ClientMechanismName[] };
}

/** The mechanism name the client sends for a route. */
function mechanismOf(route: OAuthRoute): ClientMechanismName {
  return route.oauth2!.mechanism === "oauthbearer" ? "OAUTHBEARER" : "XOAUTH2";
}

/** The target with the token as its AUTH secret, and no `oauth` left to resolve. */
function withToken<T extends OAuthCapableTarget>(target: T, token: string): T {
  const route = target.oauth!;
  const copy: T = { ...target };
  delete copy.oauth;
  copy.auth = { username: route.username!, password: token, mechanisms: [mechanismOf(route)] };
  return copy;
}

const AUTH_REFUSED = /^AUTH (?:XOAUTH2|OAUTHBEARER) as .* rejected by the relay: [45]\d\d/;

/** Whether every outcome says the relay refused the token (so nothing was sent). */
function tokenRefused(results: RecipientOutcome[][]): boolean {
  const all = results.flat();
  return all.length > 0 && all.every((o) => o.status === "temporary" && AUTH_REFUSED.test(o.reply));
}

/**
 * Wraps an SMTP client function (`deliverOverSmtp`'s shape) so that targets
 * with `oauth` are delivered with the route's access token. Targets without
 * `oauth` pass through unchanged.
 *
 * @example
 * ```ts
 * import { OAuthTokens, withOAuthTokens } from "@tollgate/tollgate/delivery";
 * const tokens = new OAuthTokens({
 *   fetch: () => Promise.resolve(Response.json({ access_token: "t", expires_in: 3600 })),
 * });
 * const deliver = withOAuthTokens(
 *   (target: { auth?: { password: string } }, messages: { to: string[] }[]) =>
 *     Promise.resolve(messages.map((m) =>
 *       m.to.map((address) => ({ address, status: "delivered" as const, reply: `250 ${target.auth?.password}` }))
 *     )),
 *   tokens,
 * );
 * const oauth = { pattern: "*", username: "me@example.com", oauth2: {
 *   mechanism: "xoauth2" as const, tokenUrl: "https://idp.example/token", clientId: "id", clientSecret: "s",
 * } };
 * const [[outcome]] = await deliver({ oauth }, [{ to: ["a@example.org"] }]);
 * console.log(outcome.reply); // "250 t"
 * ```
 */
export function withOAuthTokens<T extends OAuthCapableTarget, M extends { to: string[] }>(
  deliver: (target: T, messages: M[]) => Promise<RecipientOutcome[][]>,
  tokens: OAuthTokens,
): (target: T, messages: M[]) => Promise<RecipientOutcome[][]> {
  return async (target, messages) => {
    const route = target.oauth;
    if (route === undefined) return deliver(target, messages);
    for (let attempt = 1;; attempt++) {
      const got = await tokens.token(route);
      if (got.kind !== "token") {
        const reply = got.kind === "broken"
          ? `OAuth 2.0 route ${route.pattern} is broken: ${got.reason}`
          : `no OAuth 2.0 token for route ${route.pattern}: ${got.reason}`;
        return messages.map((m) =>
          m.to.map((address) => ({ address, status: "temporary", reply }))
        );
      }
      const results = await deliver(withToken(target, got.accessToken), messages);
      if (attempt > 1 || got.fetched || !tokenRefused(results)) return results;
      tokens.rejected(route, got.accessToken); // refused before its time: fetch a new one, once
    }
  };
}

/**
 * One step of a route test.
 *
 * @example
 * ```ts
 * import type { OAuthProbeStep } from "@tollgate/tollgate/delivery";
 * const step: OAuthProbeStep = { step: "token", ok: true, detail: "fetched, expires in 3600 s" };
 * console.log(`${step.step}: ${step.ok ? "ok" : "failed"}`); // "token: ok"
 * ```
 */
export interface OAuthProbeStep {
  /** `token` here; the SMTP steps follow. */
  step: string;
  /** Whether it worked. */
  ok: boolean;
  /** What happened; never a secret. */
  detail: string;
}

/**
 * The route test for an OAuth route: a `token` step (a fresh request to the
 * token endpoint, which also clears a broken state once it works), then the
 * SMTP client's probe with that token; without a token, the `token` step and
 * a failed `result`.
 *
 * @example
 * ```ts
 * import { OAuthTokens, probeWithToken } from "@tollgate/tollgate/delivery";
 * const tokens = new OAuthTokens({
 *   fetch: () => Promise.resolve(Response.json({ error: "invalid_grant" }, { status: 400 })),
 * });
 * const target = { oauth: { pattern: "*", username: "me@example.com", oauth2: {
 *   mechanism: "xoauth2" as const, tokenUrl: "https://idp.example/token", clientId: "id",
 *   clientSecret: "s", refreshToken: "r",
 * } } };
 * const { steps } = await probeWithToken(target, tokens, () => Promise.resolve({ steps: [] }));
 * console.log(steps.map((s) => `${s.step} ${s.ok}`)); // ["token false", "result false"]
 * ```
 */
export async function probeWithToken<T extends OAuthCapableTarget>(
  target: T,
  tokens: OAuthTokens,
  probe: (target: T) => Promise<{ steps: OAuthProbeStep[] }>,
): Promise<{ steps: OAuthProbeStep[] }> {
  const route = target.oauth;
  if (route === undefined) return probe(target);
  const got = await tokens.token(route, { fresh: true });
  if (got.kind !== "token") {
    return {
      steps: [
        { step: "token", ok: false, detail: got.reason },
        {
          step: "result",
          ok: false,
          detail: got.kind === "broken"
            ? "the token endpoint refuses these OAuth 2.0 credentials"
            : "no access token for now; try again later",
        },
      ],
    };
  }
  const state = tokens.state(route);
  const token = { step: "token", ok: true, detail: state?.detail ?? "got an access token" };
  const result = await probe(withToken(target, got.accessToken));
  return { steps: [token, ...result.steps] };
}
