import { deepEqual, equal, match } from "node:assert/strict";
import { OAuthTokens } from "../delivery/oauth_tokens.ts";
import { withOAuthTokens } from "../delivery/oauth_delivery.ts";
import type { Route } from "../delivery/routes.ts";
import { createRouteProbe, routeTarget } from "../delivery/route_target.ts";
import type { OutboundMessage } from "../delivery/outbound_types.ts";
import { deliverOverSmtp, probeRoute } from "../runtime/deno/smtp_client.ts";
import { CLIENT, type Idp, type OAuthRelay, startIdp, startOAuthRelay } from "./_oauth_parties.ts";

const USER = "mailbox@contoso.example";

function message(to: string): OutboundMessage {
  const bytes = new TextEncoder().encode("Subject: oauth\r\n\r\nHello.\r\n");
  return {
    from: "test@domain.de",
    to: [to],
    size: bytes.length,
    body: async function* () {
      yield bytes;
    },
  };
}

function oauthRoute(idp: Idp, relay: OAuthRelay, extra: Partial<Route["oauth2"]> = {}): Route {
  return {
    pattern: "*",
    relay: "127.0.0.1",
    port: relay.port,
    tls: "starttls", // AUTH goes without TLS only because the relay is on loopback
    username: USER,
    oauth2: {
      mechanism: "xoauth2",
      tokenUrl: idp.tokenUrl,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      scope: "https://outlook.office365.com/.default",
      ...extra,
    },
  };
}

async function withParties(
  run: (idp: Idp, relay: OAuthRelay, logs: string[], tokens: OAuthTokens) => Promise<void>,
): Promise<void> {
  const idp = await startIdp();
  const relay = await startOAuthRelay(idp, USER);
  const logs: string[] = [];
  try {
    await run(idp, relay, logs, new OAuthTokens({ log: (line) => logs.push(line) }));
  } finally {
    await relay.close();
    await idp.close();
  }
}

function send(tokens: OAuthTokens, route: Route, to: string) {
  const deliver = withOAuthTokens(deliverOverSmtp, tokens);
  const target = { ...routeTarget(route, { ehloName: "tollgate.test" }), tls: "none" as const };
  return deliver(target, [message(to)]);
}

Deno.test("OAuth smarthost: client-credentials grant, XOAUTH2 token checked by smtp-server", async () => {
  await withParties(async (idp, relay, logs, tokens) => {
    const [[outcome]] = await send(tokens, oauthRoute(idp, relay), "a@example.org");
    equal(outcome.status, "delivered", outcome.reply);
    deepEqual(idp.requests, [{
      grantType: "client_credentials",
      scope: "https://outlook.office365.com/.default",
      refreshToken: undefined,
      clientId: CLIENT.id,
    }]);
    deepEqual(relay.auths, [{ user: USER, accepted: true }]);
    deepEqual(relay.messages, [["a@example.org"]]);
    equal(logs.join("\n").includes(CLIENT.secret), false);
  });
});

Deno.test("OAuth smarthost: refresh-token grant; the cached token serves the next connection", async () => {
  await withParties(async (idp, relay, _logs, tokens) => {
    const route = oauthRoute(idp, relay, {
      refreshToken: CLIENT.refresh,
      scope: "https://mail.google.com/",
    });
    for (const to of ["a@example.org", "b@example.org"]) {
      const [[outcome]] = await send(tokens, route, to);
      equal(outcome.status, "delivered", outcome.reply);
    }
    deepEqual(idp.requests.map((r) => [r.grantType, r.refreshToken, r.scope]), [
      ["refresh_token", CLIENT.refresh, "https://mail.google.com/"],
    ]);
    equal(relay.connections, 2);
  });
});

Deno.test("OAuth smarthost: a token the relay refuses (334 + JSON, 535) is renewed once", async () => {
  await withParties(async (idp, relay, _logs, tokens) => {
    const route = oauthRoute(idp, relay);
    equal((await send(tokens, route, "a@example.org"))[0][0].status, "delivered");
    const first = tokens.state(route);
    // The relay now refuses the cached token (revoked at the provider before it expired).
    const seen = relay.auths.length;
    relay.revoked.add(await cachedToken(tokens, route));
    const [[outcome]] = await send(tokens, route, "b@example.org");
    equal(outcome.status, "delivered", outcome.reply);
    deepEqual(relay.auths.slice(seen).map((a) => a.accepted), [false, true]);
    equal(idp.requests.length, 2);
    equal(first?.status, "ok");
    // A token fetched for this very attempt and refused is not renewed: the mail stays queued.
    const requests = idp.requests.length;
    const auths = relay.auths.length;
    const [[refused]] = await send(
      tokens,
      { ...route, pattern: "x.example", username: "x@x" },
      "c@x",
    );
    equal(refused.status, "temporary");
    equal(idp.requests.length, requests + 1);
    equal(relay.auths.length, auths + 1);
    match(refused.reply, /^AUTH XOAUTH2 as "x@x" rejected by the relay: 535/);
  });
});

Deno.test("OAuth smarthost: an expired token is renewed before use", async () => {
  await withParties(async (idp, relay) => {
    let now = Date.now();
    const tokens = new OAuthTokens({ now: () => now });
    const route = oauthRoute(idp, relay);
    equal((await send(tokens, route, "a@example.org"))[0][0].status, "delivered");
    now += 3600_000; // the mock's tokens live an hour
    equal((await send(tokens, route, "b@example.org"))[0][0].status, "delivered");
    equal(idp.requests.length, 2);
    deepEqual(relay.auths.map((a) => a.accepted), [true, true]);
  });
});

Deno.test("OAuth smarthost: invalid_grant marks the route broken, mail stays queued, no more requests", async () => {
  await withParties(async (idp, relay, logs, tokens) => {
    const route = oauthRoute(idp, relay, { refreshToken: "1//revoked-by-the-user" });
    for (const to of ["a@example.org", "b@example.org"]) {
      const [[outcome]] = await send(tokens, route, to);
      equal(outcome.status, "temporary");
      match(
        outcome.reply,
        /^OAuth 2\.0 route \* is broken: .* 400 invalid_grant \(bad refresh token\)/,
      );
    }
    equal(idp.requests.length, 1, "the broken route is not asked again at once");
    equal(relay.connections, 0);
    equal(tokens.state(route)?.status, "broken");
    match(logs.join("\n"), /oauth: route \* is broken: .*invalid_grant.*stays queued/);
  });
});

Deno.test("OAuth smarthost: invalid_client is broken too; a 503 is only temporary", async () => {
  await withParties(async (idp, relay, _logs, tokens) => {
    const wrong = oauthRoute(idp, relay, { clientSecret: "wrong" });
    const [[broken]] = await send(tokens, wrong, "a@example.org");
    match(broken.reply, /broken: .* 401 invalid_client/);
    const route = { ...oauthRoute(idp, relay), pattern: "example.org" };
    idp.failNext({ status: 503 });
    const [[later]] = await send(tokens, route, "a@example.org");
    equal(later.status, "temporary");
    match(later.reply, /^no OAuth 2\.0 token for route example\.org: .* answered 503/);
    equal(tokens.state(route)?.status, "failing");
    equal((await send(tokens, route, "a@example.org"))[0][0].status, "delivered");
    equal(tokens.state(route)?.status, "ok");
  });
});

Deno.test("OAuth smarthost: concurrent deliveries share one token request", async () => {
  await withParties(async (idp, relay, _logs, tokens) => {
    const route = oauthRoute(idp, relay);
    const all = await Promise.all(
      ["a", "b", "c", "d", "e"].map((name) => send(tokens, route, `${name}@example.org`)),
    );
    deepEqual(all.map(([[o]]) => o.status), Array(5).fill("delivered"));
    equal(idp.requests.length, 1);
    equal(relay.connections, 5);
  });
});

Deno.test("OAuth smarthost: the route test reports the token step, then EHLO and AUTH", async () => {
  await withParties(async (idp, relay, _logs, tokens) => {
    const probe = createRouteProbe({ ehloName: "tollgate.test", tokens, probe: probeRoute });
    const { steps } = await probe({ ...oauthRoute(idp, relay), tls: "none" });
    deepEqual(steps.map((s) => [s.step, s.ok]), [
      ["token", true],
      ["connect", true],
      ["greeting", true],
      ["ehlo", true],
      ["auth", true],
      ["result", true],
    ]);
    match(steps[0].detail, /^client_credentials grant gave a token valid for \d+ s$/);
    match(steps[4].detail, /^AUTH XOAUTH2 as "mailbox@contoso\.example": 235/);
    const broken = await probe({
      ...oauthRoute(idp, relay, { clientSecret: "wrong" }),
      tls: "none",
    });
    deepEqual(broken.steps.map((s) => [s.step, s.ok]), [["token", false], ["result", false]]);
    match(broken.steps[0].detail, /401 invalid_client/);
    for (const step of [...steps, ...broken.steps]) {
      equal(step.detail.includes(CLIENT.secret), false);
    }
  });
});

/** The token the cache holds for a route (fetching one if needed). */
async function cachedToken(tokens: OAuthTokens, route: Route): Promise<string> {
  const got = await tokens.token(route);
  if (got.kind !== "token") throw new Error(got.reason);
  return got.accessToken;
}
