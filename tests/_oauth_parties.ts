/**
 * The OAuth 2.0 parties of the tests, none written here: `oauth2-mock-server`
 * as the token endpoint (and identity provider, with its JWKS), and
 * nodemailer's `smtp-server` as a smarthost that takes only XOAUTH2 and
 * checks each access token's signature against the mock's JWKS with `jose`.
 *
 * @module
 */
import { createRemoteJWKSet, jwtVerify } from "jose";
import { Events, OAuth2Server } from "oauth2-mock-server";
import { SMTPServer } from "smtp-server";

/** Client id and secret the token endpoint accepts, and the refresh token it takes. */
export const CLIENT = { id: "tollgate-client", secret: "client-secret-7", refresh: "1//refresh-9" };

/** One token request as the endpoint saw it. */
export interface TokenRequest {
  grantType: string;
  scope?: string;
  refreshToken?: string;
  clientId?: string;
}

/** A running token endpoint. */
export interface Idp {
  server: OAuth2Server;
  /** `http://127.0.0.1:<port>`, also the issuer. */
  url: string;
  tokenUrl: string;
  requests: TokenRequest[];
  /** Makes the next answers fail with this RFC 6749 error (400), or a status alone. */
  failNext(answer: { error?: string; status?: number }, times?: number): void;
  close(): Promise<void>;
}

/** Starts `oauth2-mock-server` on 127.0.0.1; it refuses a wrong client id/secret or refresh token. */
export async function startIdp(): Promise<Idp> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  const url = server.issuer.url!;
  const requests: TokenRequest[] = [];
  const failures: { error?: string; status?: number }[] = [];
  // A token id, as real providers add: two tokens of the same second then differ.
  server.service.on(Events.BeforeTokenSigning, (token) => {
    token.payload.jti = crypto.randomUUID();
  });
  server.service.on(Events.BeforeResponse, (response, req) => {
    const body = (req as unknown as { body: Record<string, string> }).body;
    requests.push({
      grantType: body.grant_type,
      scope: body.scope,
      refreshToken: body.refresh_token,
      clientId: body.client_id,
    });
    const failure = failures.shift();
    if (body.client_id !== CLIENT.id || body.client_secret !== CLIENT.secret) {
      response.statusCode = 401;
      response.body = { error: "invalid_client", error_description: "unknown client" };
    } else if (body.grant_type === "refresh_token" && body.refresh_token !== CLIENT.refresh) {
      response.statusCode = 400;
      response.body = { error: "invalid_grant", error_description: "bad refresh token" };
    } else if (failure) {
      response.statusCode = failure.status ?? 400;
      response.body = failure.error ? { error: failure.error } : {};
    } else {
      delete (response.body as Record<string, unknown>).refresh_token; // Google does not rotate
    }
  });
  const idp: Idp = {
    server,
    url,
    tokenUrl: `${url}/token`,
    requests,
    failNext(answer, times = 1) {
      for (let i = 0; i < times; i++) failures.push(answer);
    },
    close: () => server.stop(),
  };
  return idp;
}

/** A smarthost that takes XOAUTH2 only and records what it saw. */
export interface OAuthRelay {
  port: number;
  /** Each AUTH: the user, whether the token was accepted. */
  auths: { user: string; accepted: boolean }[];
  /** Recipients of accepted messages, per message. */
  messages: string[][];
  connections: number;
  /** Tokens refused from now on although validly signed (revoked). */
  revoked: Set<string>;
  close(): Promise<void>;
}

/** Starts `smtp-server` on 127.0.0.1 (plain text: AUTH is allowed on loopback). */
export async function startOAuthRelay(idp: Idp, user: string): Promise<OAuthRelay> {
  const jwks = createRemoteJWKSet(new URL(`${idp.url}/jwks`));
  const relay: OAuthRelay = {
    port: 0,
    auths: [],
    messages: [],
    connections: 0,
    revoked: new Set(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    name: "relay.test",
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 1000,
    disabledCommands: ["STARTTLS"],
    authMethods: ["XOAUTH2"],
    allowInsecureAuth: true,
    onConnect(_session, callback) {
      relay.connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      const token = auth.accessToken ?? "";
      jwtVerify(token, jwks, { issuer: idp.url })
        .then(() => auth.username === user && !relay.revoked.has(token))
        .catch(() => false)
        .then((accepted) => {
          relay.auths.push({ user: auth.username ?? "", accepted });
          if (accepted) return callback(null, { user: auth.username });
          callback(null, { data: { status: "401", schemes: "bearer", scope: "https://mail" } });
        });
    },
    onData(stream, session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => {
        relay.messages.push(session.envelope.rcptTo.map((rcpt) => rcpt.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  relay.port = (server.server.address() as { port: number }).port;
  return relay;
}
