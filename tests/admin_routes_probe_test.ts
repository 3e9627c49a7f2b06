import { deepEqual, equal, match } from "node:assert/strict";
import { createAdminApp } from "../admin/mod.ts";
import { routeTarget } from "../delivery/route_target.ts";
import { createRouteProbe } from "../delivery/route_target.ts";
import { OAuthTokens } from "../delivery/oauth_tokens.ts";
import { probeRoute } from "../runtime/deno/smtp_client.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { call, NOW, TOKEN } from "./_admin_fixture.ts";
import { startRelay } from "./_smtp_server_relay.ts";
import { makeTestPki } from "./_test_ca.ts";

const pki = await makeTestPki();

/** The account the seed's client test means: kunde0815@domain.de, password 4711. */
const KUNDE = { username: "kunde0815@domain.de", password: "4711" };

Deno.test("route target: relay, default port, TLS, credentials and mechanisms", () => {
  deepEqual(
    routeTarget({
      pattern: "*",
      relay: "mail.provider.de",
      username: "trottel",
      password: "ich",
      tls: "implicit",
      mechanisms: ["PLAIN"],
    }, { ehloName: "mail.domain.de", caCertificates: ["PEM"] }),
    {
      host: "mail.provider.de",
      port: 465,
      tls: "implicit",
      ehloName: "mail.domain.de",
      caCertificates: ["PEM"],
      auth: { username: "trottel", password: "ich", mechanisms: ["PLAIN"] },
    },
  );
  equal(
    routeTarget({ pattern: "*", relay: "192.0.2.1", tls: "none" }, { ehloName: "x" }).auth,
    undefined,
  );
});

Deno.test("route test over the admin API: the seed's base64 typo fails at AUTH, the fix passes", async () => {
  const relay = await startRelay({
    tls: { certPem: pki.certPem, keyPem: pki.keyPem },
    authMethods: ["LOGIN"],
    user: KUNDE,
  });
  try {
    const stores = createMemoryStores(() => NOW);
    const app = createAdminApp({
      stores,
      token: TOKEN,
      setPassword: () => Promise.reject(new Error("no users here")),
      now: () => NOW,
      probeRoute: createRouteProbe({
        ehloName: "mail.domain.de",
        caCertificates: [pki.caPem],
        tokens: new OAuthTokens(),
        probe: probeRoute,
      }),
    });
    // The seed's line for kunde0815@domain.de, pointed at the local relay.
    const seedLine = `:127.0.0.1:${relay.port} a3VuZGUwODElQGRvbWFPbi5kZQ== NDcxMQ==\n`;
    const imported = await call(app, "POST /api/routes/import", {
      body: seedLine,
      contentType: "text/plain",
    });
    equal(imported.body.imported[0].username, "kunde081%@domaOn.de");

    const failed = await call(app, "POST /api/routes/*/test");
    equal(failed.status, 200);
    equal(failed.body.ok, false);
    const auth = failed.body.steps.find((step: { step: string }) => step.step === "auth");
    equal(auth.ok, false);
    match(auth.detail, /"kunde081%@domaOn\.de".*535/);
    equal(failed.text.includes("4711"), false);

    const fixed = await call(app, "PUT /api/routes/*", {
      json: { relay: "127.0.0.1", port: relay.port, username: KUNDE.username },
    });
    equal(fixed.status, 400, "a new user name needs its password again");
    await call(app, "PUT /api/routes/*", {
      json: { relay: "127.0.0.1", port: relay.port, ...KUNDE },
    });
    const passed = await call(app, "POST /api/routes/*/test");
    equal(passed.body.ok, true);
    deepEqual(
      passed.body.steps.map((step: { step: string }) => step.step),
      ["connect", "greeting", "ehlo", "starttls", "tls", "ehlo", "auth", "result"],
    );
    equal(passed.text.includes("4711"), false);
    deepEqual(relay.auths.map((attempt) => [attempt.username, attempt.accepted, attempt.secure]), [
      ["kunde081%@domaOn.de", false, true],
      ["kunde0815@domain.de", true, true],
    ]);
    equal(relay.messages.length, 0);
  } finally {
    await relay.close();
  }
});
