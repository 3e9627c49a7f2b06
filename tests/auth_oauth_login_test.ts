import { deepEqual, equal } from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { JwtVerifier } from "../auth/jwt_verifier.ts";
import { OAuthMechanism } from "../auth/oauth_mechanism.ts";
import { OAuthVerifier, type TokenVerifier } from "../auth/oauth_verifier.ts";
import { encodeOAuthResponse } from "../auth/xoauth2.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { dialogueServer } from "./_dialogue.ts";
import { test } from "./_portable.ts";

const ISSUER = "https://login.example/realms/staff";

/** "good" names Test@Domain.de, "down" is a key server that fails, anything else is invalid. */
const FAKE_TOKENS: TokenVerifier = {
  verify: (token) =>
    Promise.resolve(
      token === "good"
        ? { kind: "valid", claims: { email: "Test@Domain.de", sub: "1" } }
        : token === "down"
        ? { kind: "temporary-failure", reason: "JWKS unreachable" }
        : { kind: "invalid", reason: "ERR_JWT_EXPIRED" },
    ),
};

test("OAuthMechanism: XOAUTH2 and OAUTHBEARER as initial response or after 334", () => {
  const xoauth2 = new OAuthMechanism("XOAUTH2");
  const step = xoauth2.start(encodeOAuthResponse("XOAUTH2", { user: "a@b.example", token: "t" }));
  deepEqual(step, {
    kind: "done",
    credentials: { kind: "oauth", mechanism: "XOAUTH2", username: "a@b.example", token: "t" },
  });
  const bearer = new OAuthMechanism("OAUTHBEARER");
  deepEqual(bearer.start(), { kind: "challenge", challenge: "" });
  const message = btoa("n,,\x01host=mail\x01port=587\x01auth=Bearer t0k\x01\x01");
  const done = bearer.next(message);
  equal(done.kind === "done" && done.credentials.kind === "oauth" && done.credentials.token, "t0k");
  for (const bad of [btoa("user=a\x01\x01"), btoa("x,,\x01auth=Bearer t\x01\x01"), "!"]) {
    equal(new OAuthMechanism("OAUTHBEARER").start(bad).kind, "malformed", bad);
  }
  const control = btoa("n,a=a\r\nb,\x01auth=Bearer t\x01\x01");
  equal(new OAuthMechanism("OAUTHBEARER").start(control).kind, "malformed");
});

test("OAuthVerifier: the claim names a known user; the SASL user must agree", async () => {
  const stores = createMemoryStores(() => 0);
  await stores.domains.add("domain.de");
  await stores.users.put({ address: "test@domain.de", passwordHash: "x", updatedAt: 0 });
  const verifier = new OAuthVerifier({
    tokens: FAKE_TOKENS,
    claim: "email",
    users: stores.users,
    domains: stores.domains,
    passwords: { verify: () => Promise.resolve({ kind: "accepted", user: "by-password" }) },
  });
  const oauth = (token: string, username = "") =>
    verifier.verify({ kind: "oauth", mechanism: "OAUTHBEARER", username, token });
  deepEqual(await oauth("good"), { kind: "accepted", user: "test@domain.de" });
  deepEqual(await oauth("good", "TEST@domain.de"), { kind: "accepted", user: "test@domain.de" });
  deepEqual(await oauth("good", "other@domain.de"), { kind: "rejected" });
  deepEqual(await oauth("expired"), { kind: "rejected" });
  deepEqual(await oauth("down"), { kind: "temporary-failure", reason: "JWKS unreachable" });
  await stores.users.remove("test@domain.de");
  deepEqual(await oauth("good"), { kind: "rejected" });
  const password = { kind: "password", mechanism: "PLAIN", username: "a", password: "b" } as const;
  deepEqual(await verifier.verify(password), { kind: "accepted", user: "by-password" });
  const sub = new OAuthVerifier({
    tokens: FAKE_TOKENS,
    claim: "sub",
    users: stores.users,
    domains: stores.domains,
    passwords: verifier,
  });
  deepEqual(
    await sub.verify({ kind: "oauth", mechanism: "XOAUTH2", username: "x", token: "good" }),
    {
      kind: "rejected",
    },
  );
});

test("JwtVerifier: keys found through the OpenID configuration; iss, aud, exp checked", async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk = { ...await exportJWK(publicKey), kid: "k1", alg: "ES256" };
  const fetched: string[] = [];
  let up = false;
  const fetchStub: typeof fetch = (input) => {
    const url = String(input);
    fetched.push(url);
    if (!up) return Promise.reject(new TypeError("connection refused"));
    if (url.endsWith("/.well-known/openid-configuration")) {
      return Promise.resolve(Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/certs` }));
    }
    return Promise.resolve(Response.json({ keys: [jwk] }));
  };
  const verifier = new JwtVerifier({ issuer: ISSUER, audience: "tollgate", fetch: fetchStub });
  const sign = (claims: { iss?: string; aud?: string; exp?: string }) =>
    new SignJWT({ email: "test@domain.de" })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? "tollgate")
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? "5m")
      .sign(privateKey);
  equal((await verifier.verify(await sign({}))).kind, "temporary-failure");
  up = true;
  const valid = await verifier.verify(await sign({}));
  equal(valid.kind === "valid" && valid.claims.email, "test@domain.de");
  deepEqual(fetched.slice(1), [
    `${ISSUER}/.well-known/openid-configuration`,
    `${ISSUER}/certs`,
  ]);
  deepEqual(await verifier.verify(await sign({ exp: "-1m" })), {
    kind: "invalid",
    reason: "ERR_JWT_EXPIRED",
  });
  equal((await verifier.verify(await sign({ aud: "someone-else" }))).kind, "invalid");
  equal((await verifier.verify(await sign({ iss: "https://evil.example" }))).kind, "invalid");
  equal((await verifier.verify("not.a.jwt")).kind, "invalid");
});

test("session: a refused token gets RFC 7628's 334 error, then 535 after the dummy", async () => {
  // The verifier reads the dialogue server's stores, which exist once it does.
  const server = await dialogueServer({ verifier: { verify: (c) => verifier.verify(c) } });
  const verifier = new OAuthVerifier({
    tokens: FAKE_TOKENS,
    claim: "email",
    users: server.stores.users,
    domains: server.stores.domains,
    passwords: { verify: () => Promise.resolve({ kind: "rejected" }) },
  });
  const client = server.connect({ authMechanisms: ["PLAIN", "XOAUTH2", "OAUTHBEARER"] });
  const error = btoa(JSON.stringify({ status: "invalid_token" }));
  const xoauth2 = (token: string) =>
    encodeOAuthResponse("XOAUTH2", { user: "test@domain.de", token });
  await client.play(`
    S~ 220
    C: EHLO client.test
    S: 250-mail.domain.de
    S: 250-AUTH PLAIN XOAUTH2 OAUTHBEARER
    S: 250-AUTH=PLAIN XOAUTH2 OAUTHBEARER
    S~ 250-PIPELINING
    S~ 250-8BITMIME
    S~ 250-SIZE
    S: 250 ENHANCEDSTATUSCODES
    C: AUTH XOAUTH2 ${xoauth2("expired")}
    S: 334 ${error}
    C:
    S: 535 5.7.8 authorization failed (#5.7.0)
    C: AUTH OAUTHBEARER ${btoa("n,,\x01auth=Bearer expired\x01\x01")}
    S: 334 ${error}
    C: AQ==
    S: 535 5.7.8 authorization failed (#5.7.0)
    C: AUTH XOAUTH2 ${xoauth2("down")}
    S: 454 4.7.0 temporary authentication failure (#4.3.0)
    C: AUTH OAUTHBEARER
    S: 334 ${""}
    C: ${btoa("n,,\x01auth=Bearer good\x01\x01")}
    S: 235 2.0.0 ok, go ahead (#2.0.0)
  `);
  await client.close();
});
