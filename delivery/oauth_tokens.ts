/**
 * Access tokens for OAuth 2.0 routes: one cache entry per route, shared by
 * every connection of that route. A token is reused until shortly before it
 * expires; at most one token request per route is under way at a time (the
 * others wait for it); a token the relay refused is dropped so that the next
 * caller fetches a new one. A token endpoint that refuses the credentials
 * (RFC 6749's `invalid_grant`, `invalid_client`, ...) marks the route broken:
 * mail for it stays queued, one log line says why, and the admin API shows the
 * state; it is asked again after `brokenRetryMs`, when the route's OAuth
 * settings change, or when the route test asks for a fresh token.
 *
 * @module
 */
import type { Route } from "../store/types.ts";
import { type Fetch, grantOf, requestToken } from "./oauth_token_request.ts";

/**
 * What a caller gets: a token, or why there is none.
 *
 * @example
 * ```ts
 * import type { TokenOutcome } from "@tollgate/tollgate/delivery";
 * const outcome: TokenOutcome = {
 *   kind: "token", accessToken: "t0k", expiresAt: 3_600_000, fetched: false,
 * };
 * console.log(outcome.kind === "token" && !outcome.fetched ? "cached" : "fetched"); // "cached"
 * ```
 */
export type TokenOutcome =
  | {
    kind: "token";
    /** The access token (a secret: never log it). */
    accessToken: string;
    /** When it expires (ms, the tokens' clock). */
    expiresAt: number;
    /** Whether this call fetched it (false: from the cache). */
    fetched: boolean;
  }
  | { kind: "temporary"; /** Why. */ reason: string }
  | { kind: "broken"; /** Why. */ reason: string };

/**
 * The state of a route's tokens, for the admin API.
 *
 * @example
 * ```ts
 * import type { OAuthRouteState } from "@tollgate/tollgate/delivery";
 * const state: OAuthRouteState = {
 *   status: "broken", detail: "the token endpoint said invalid_grant", since: Date.UTC(2024, 0, 1),
 * };
 * console.log(state.status, state.tokenExpiresAt); // "broken" undefined
 * ```
 */
export interface OAuthRouteState {
  /** `ok`: the last request gave a token; `failing`: it failed for now; `broken`: refused. */
  status: "ok" | "failing" | "broken";
  /** What happened last (never a secret). */
  detail: string;
  /** Since when (ms). */
  since: number;
  /** When the cached token expires (ms), if one is cached. */
  tokenExpiresAt?: number;
}

/**
 * How {@linkcode OAuthTokens} works.
 *
 * @example
 * ```ts
 * import { OAuthTokens, type OAuthTokensOptions } from "@tollgate/tollgate/delivery";
 * const options: OAuthTokensOptions = {
 *   now: Date.now, log: (line) => console.log(line), refreshMarginMs: 60_000, timeoutMs: 10_000,
 * };
 * const tokens = new OAuthTokens(options);
 * console.log(options.refreshMarginMs); // 60000
 * ```
 */
export interface OAuthTokensOptions {
  /** The HTTP client; default the global `fetch`. */
  fetch?: Fetch;
  /** The clock (ms); default `Date.now`. */
  now?: () => number;
  /** One line when a route breaks, fails or recovers; never a secret. */
  log?: (line: string) => void;
  /** A token is renewed this long before it expires; default 5 minutes (at most half its life). */
  refreshMarginMs?: number;
  /** A broken route's token endpoint is asked again after this long; default 10 minutes. */
  brokenRetryMs?: number;
  /** A token request's time limit; default 30 s. */
  timeoutMs?: number;
}

interface Entry {
  fingerprint: string;
  token?: { accessToken: string; expiresAt: number; renewAt: number };
  inflight?: Promise<TokenOutcome>;
  refreshToken?: string;
  state?: OAuthRouteState;
}

/**
 * The part of a route that a token is fetched for.
 *
 * @example
 * ```ts
 * import type { OAuthRoute } from "@tollgate/tollgate/delivery";
 * const route: OAuthRoute = { pattern: "*", username: "me@example.com" };
 * console.log(route.pattern); // "*"
 * ```
 */
export type OAuthRoute = Pick<Route, "pattern" | "username" | "oauth2">;

function fingerprint(route: OAuthRoute): string {
  const o = route.oauth2!;
  return JSON.stringify([
    route.username,
    o.tokenUrl,
    o.clientId,
    o.clientSecret,
    o.refreshToken,
    o.scope,
  ]);
}

/**
 * The token cache of all OAuth routes.
 *
 * @example
 * ```ts
 * import { OAuthTokens } from "@tollgate/tollgate/delivery";
 * let requests = 0;
 * const tokens = new OAuthTokens({
 *   fetch: () => Promise.resolve(Response.json({ access_token: `t${++requests}`, expires_in: 3600 })),
 * });
 * const route = { pattern: "*", username: "me@example.com", oauth2: {
 *   mechanism: "xoauth2" as const, tokenUrl: "https://idp.example/token", clientId: "id", clientSecret: "s",
 * } };
 * const [a, b] = await Promise.all([tokens.token(route), tokens.token(route)]);
 * console.log(requests, a.kind === "token" && b.kind === "token" && a.accessToken === b.accessToken); // 1 true
 * ```
 */
export class OAuthTokens {
  readonly #entries = new Map<string, Entry>();
  readonly #fetch: Fetch;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #margin: number;
  readonly #brokenRetry: number;
  readonly #timeout: number;

  /** A cache with these options. */
  constructor(options: OAuthTokensOptions = {}) {
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => {});
    this.#margin = options.refreshMarginMs ?? 300_000;
    this.#brokenRetry = options.brokenRetryMs ?? 600_000;
    this.#timeout = options.timeoutMs ?? 30_000;
  }

  /**
   * A token for the route: the cached one while it is fresh, else the result
   * of the one request under way or of a new one. `fresh` skips the cache and
   * the broken state (the route test). Never throws.
   *
   * @throws {TypeError} If the route has no OAuth settings.
   */
  token(route: OAuthRoute, options: { fresh?: boolean } = {}): Promise<TokenOutcome> {
    const entry = this.#entry(route);
    if (entry.inflight) return entry.inflight;
    const now = this.#now();
    if (!options.fresh && entry.token && now < entry.token.renewAt) {
      const { accessToken, expiresAt } = entry.token;
      return Promise.resolve({ kind: "token", accessToken, expiresAt, fetched: false });
    }
    const state = entry.state;
    if (!options.fresh && state?.status === "broken" && now < state.since + this.#brokenRetry) {
      return Promise.resolve({ kind: "broken", reason: state.detail });
    }
    const inflight = this.#request(route, entry).finally(() => entry.inflight = undefined);
    entry.inflight = inflight;
    return inflight;
  }

  /** The relay refused this token: forget it, so that the next `token()` fetches a new one. */
  rejected(route: OAuthRoute, accessToken: string): void {
    const entry = this.#entries.get(route.pattern);
    if (entry?.token?.accessToken === accessToken) entry.token = undefined;
  }

  /** The route's state, or undefined before its first token request (or after a change). */
  state(route: OAuthRoute): OAuthRouteState | undefined {
    const entry = this.#entries.get(route.pattern);
    if (route.oauth2 === undefined || entry?.fingerprint !== fingerprint(route)) return undefined;
    if (entry.state === undefined) return undefined;
    return entry.token && entry.state.status === "ok"
      ? { ...entry.state, tokenExpiresAt: entry.token.expiresAt }
      : { ...entry.state };
  }

  #entry(route: OAuthRoute): Entry {
    if (route.oauth2 === undefined) {
      throw new TypeError(`Cannot get a token for route ${route.pattern}: it has no OAuth 2.0`);
    }
    const print = fingerprint(route);
    let entry = this.#entries.get(route.pattern);
    if (entry?.fingerprint !== print) {
      entry = { fingerprint: print };
      this.#entries.set(route.pattern, entry);
    }
    return entry;
  }

  async #request(route: OAuthRoute, entry: Entry): Promise<TokenOutcome> {
    const oauth2 = { ...route.oauth2! };
    if (entry.refreshToken !== undefined) oauth2.refreshToken = entry.refreshToken;
    const result = await requestToken(oauth2, { fetch: this.#fetch, timeoutMs: this.#timeout });
    const now = this.#now();
    const was = entry.state?.status;
    if (result.kind !== "token") {
      entry.token = undefined;
      entry.state = {
        status: result.kind === "broken" ? "broken" : "failing",
        detail: result.reason,
        since: now,
      };
      this.#log(
        result.kind === "broken"
          ? `oauth: route ${route.pattern} is broken: ${result.reason}; its mail stays queued ` +
            `until the route is fixed (PUT /api/routes/${route.pattern}) or tested`
          : `oauth: route ${route.pattern}: no token for now: ${result.reason}`,
      );
      return result;
    }
    const lifetime = result.expiresIn * 1000;
    const expiresAt = now + lifetime;
    entry.token = {
      accessToken: result.accessToken,
      expiresAt,
      renewAt: expiresAt - Math.min(this.#margin, lifetime / 2),
    };
    if (result.refreshToken !== undefined) entry.refreshToken = result.refreshToken;
    const detail = `${grantOf(oauth2)} grant gave a token valid for ${result.expiresIn} s`;
    entry.state = { status: "ok", detail, since: now };
    if (was !== undefined && was !== "ok") this.#log(`oauth: route ${route.pattern} works again`);
    return { kind: "token", accessToken: result.accessToken, expiresAt, fetched: true };
  }
}
