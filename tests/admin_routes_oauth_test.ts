import { deepEqual, equal, match } from "node:assert/strict";
import { createAdminApp } from "../admin/mod.ts";
import type { OAuthRouteState } from "../delivery/oauth_tokens.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { call, NOW, TOKEN } from "./_admin_fixture.ts";
import { test } from "./_portable.ts";

const SECRET = "Client-Secret-Never-Shown-9";
const REFRESH = "1//Refresh-Token-Never-Shown-8";
const GOOGLE = {
  relay: "smtp.gmail.com",
  port: 587,
  auth: {
    mechanism: "xoauth2",
    user: "kunde@gmail.example",
    oauth2: {
      tokenUrl: "https://oauth2.googleapis.com/token",
      clientId: "1234.apps.googleusercontent.com",
      clientSecret: SECRET,
      refreshToken: REFRESH,
      scope: "https://mail.google.com/",
    },
  },
};

function fixture(state?: OAuthRouteState) {
  const stores = createMemoryStores(() => NOW);
  const logs: string[] = [];
  const app = createAdminApp({
    stores,
    token: TOKEN,
    setPassword: () => Promise.reject(new Error("no users")),
    now: () => NOW,
    log: (line) => logs.push(line),
    routeOAuthState: () => state,
  });
  return { app, stores, logs };
}

function withoutSecrets(oauth2: typeof GOOGLE.auth.oauth2) {
  const { clientSecret: _secret, refreshToken: _refresh, ...rest } = oauth2;
  return rest;
}

function noSecret(texts: string[]): void {
  for (const text of texts) {
    equal(text.includes(SECRET), false, text);
    equal(text.includes(REFRESH), false, text);
  }
}

test("admin routes OAuth: PUT stores the secrets, the view says only that they are set", async () => {
  const { app, stores, logs } = fixture();
  const created = await call(app, "PUT /api/routes/*", { json: GOOGLE });
  equal(created.status, 201, created.text);
  deepEqual(created.body, {
    pattern: "*",
    delivery: "relay",
    relay: "smtp.gmail.com",
    port: 587,
    tls: "starttls",
    username: "kunde@gmail.example",
    auth: {
      mechanism: "xoauth2",
      user: "kunde@gmail.example",
      oauth2: {
        ...withoutSecrets(GOOGLE.auth.oauth2),
        grant: "refresh_token",
        clientSecretSet: true,
        refreshTokenSet: true,
      },
    },
  });
  const stored = await stores.routes.get("*");
  equal(stored?.oauth2?.clientSecret, SECRET);
  equal(stored?.oauth2?.refreshToken, REFRESH);
  equal(stored?.password, undefined);
  const listed = await call(app, "GET /api/routes");
  const resolved = await call(app, "GET /api/routes/resolve?domain=example.org");
  match(resolved.body.why, /with OAuth 2.0 XOAUTH2 as "kunde@gmail.example"/);
  noSecret([created.text, listed.text, resolved.text, ...logs]);
});

test("admin routes OAuth: a PUT without secrets keeps them; refreshToken null removes it", async () => {
  const { app, stores, logs } = fixture();
  await call(app, "PUT /api/routes/*", { json: GOOGLE });
  const { clientSecret: _s, refreshToken: _r, ...rest } = GOOGLE.auth.oauth2;
  const kept = await call(app, "PUT /api/routes/*", {
    json: { ...GOOGLE, auth: { ...GOOGLE.auth, oauth2: rest } },
  });
  equal(kept.status, 200, kept.text);
  equal((await stores.routes.get("*"))?.oauth2?.clientSecret, SECRET);
  equal((await stores.routes.get("*"))?.oauth2?.refreshToken, REFRESH);
  match(logs.at(-1)!, /client secret and refresh token kept/);
  const dropped = await call(app, "PUT /api/routes/*", {
    json: { ...GOOGLE, auth: { ...GOOGLE.auth, oauth2: { ...rest, refreshToken: null } } },
  });
  equal(dropped.body.auth.oauth2.grant, "client_credentials");
  equal((await stores.routes.get("*"))?.oauth2?.refreshToken, undefined);
  const otherClient = await call(app, "PUT /api/routes/*", {
    json: { ...GOOGLE, auth: { ...GOOGLE.auth, oauth2: { ...rest, clientId: "other" } } },
  });
  equal(otherClient.status, 400);
  match(otherClient.body.error, /client secret is missing/);
  noSecret(logs);
});

test("admin routes OAuth: refuses mixed, incomplete and insecure settings", async () => {
  const { app } = fixture();
  const cases: [unknown, RegExp][] = [
    [{ ...GOOGLE, username: "x", password: "y" }, /either auth \(OAuth 2.0\) or username/],
    [{ ...GOOGLE, mechanisms: ["PLAIN"] }, /either auth/],
    [{ ...GOOGLE, relay: undefined }, /credentials need a relay host/],
    [
      { ...GOOGLE, auth: { ...GOOGLE.auth, mechanism: "plain" } },
      /mechanism/,
    ],
    [
      {
        ...GOOGLE,
        auth: {
          ...GOOGLE.auth,
          oauth2: { ...GOOGLE.auth.oauth2, tokenUrl: "http://idp.example/t" },
        },
      },
      /must be https \(http only on loopback\)/,
    ],
    [
      { ...GOOGLE, auth: { ...GOOGLE.auth, oauth2: { ...GOOGLE.auth.oauth2, clientId: "" } } },
      /client id is empty/,
    ],
    [{ ...GOOGLE, auth: { ...GOOGLE.auth, user: "" } }, /user name is empty/],
  ];
  for (const [json, error] of cases) {
    const answer = await call(app, "PUT /api/routes/*", { json });
    equal(answer.status, 400, JSON.stringify(json));
    match(answer.body.error, error);
    noSecret([answer.text]);
  }
  const loopback = await call(app, "PUT /api/routes/*", {
    json: {
      ...GOOGLE,
      auth: {
        ...GOOGLE.auth,
        oauth2: { ...GOOGLE.auth.oauth2, tokenUrl: "http://127.0.0.1:8080/token" },
      },
    },
  });
  equal(loopback.status, 201, loopback.text);
});

test("admin routes OAuth: the JSON export carries the route without secrets, and says so", async () => {
  const { app } = fixture();
  await call(app, "PUT /api/routes/*", { json: GOOGLE });
  await call(app, "PUT /api/routes/example.net", {
    json: { relay: "mail.provider.de", username: "trottel", password: SECRET },
  });
  const exported = await call(app, "GET /api/routes/export?form=json");
  equal(exported.status, 200);
  match(exported.body.secrets, /Secrets are not exported/);
  deepEqual(exported.body.routes.map((r: { pattern: string }) => r.pattern), ["*", "example.net"]);
  equal(exported.body.routes[0].auth.oauth2.clientSecretSet, true);
  const text = await call(app, "GET /api/routes/export?passwords=true");
  match(
    text.text,
    /^# :smtp\.gmail\.com:587 \(OAuth 2\.0 XOAUTH2 as "kunde@gmail\.example": smtproutes cannot carry it; see the JSON export\)$/m,
  );
  noSecret([exported.text, text.text.replace(/^example\.net.*$/m, "")]);
});

test("admin routes OAuth: the view shows the token state", async () => {
  const state: OAuthRouteState = {
    status: "broken",
    detail: "the token endpoint https://oauth2.googleapis.com refused the refresh_token grant: " +
      "400 invalid_grant",
    since: NOW,
  };
  const { app } = fixture(state);
  await call(app, "PUT /api/routes/*", { json: GOOGLE });
  const listed = await call(app, "GET /api/routes");
  deepEqual(listed.body.routes[0].auth.state, {
    status: "broken",
    detail: state.detail,
    since: new Date(NOW).toISOString(),
  });
});
