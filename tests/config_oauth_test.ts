import { deepEqual, equal, throws } from "node:assert/strict";
import { ConfigError, parseConfig } from "../runtime/deno/config.ts";

const ISSUER = "https://login.example/realms/staff";

Deno.test("config: OAuth logins are off unless TOLLGATE_OAUTH_ISSUER is set", () => {
  equal(parseConfig({}, "mail.example.net").oauth, undefined);
});

Deno.test("config: the OAuth settings are read; the claim defaults to email", () => {
  const env = { TOLLGATE_OAUTH_ISSUER: ISSUER, TOLLGATE_OAUTH_AUDIENCE: "tollgate" };
  deepEqual(parseConfig(env, "mail.example.net").oauth, {
    issuer: ISSUER,
    audience: "tollgate",
    claim: "email",
  });
  const full = parseConfig({
    ...env,
    TOLLGATE_OAUTH_JWKS: `${ISSUER}/certs`,
    TOLLGATE_OAUTH_CLAIM: "preferred_username",
  }, "mail.example.net");
  deepEqual(full.oauth, {
    issuer: ISSUER,
    audience: "tollgate",
    claim: "preferred_username",
    jwksUrl: `${ISSUER}/certs`,
  });
});

Deno.test("config: OAuth settings that cannot work stop start-up, naming the setting", () => {
  const cases: [Record<string, string>, string][] = [
    [{ TOLLGATE_OAUTH_ISSUER: ISSUER }, "TOLLGATE_OAUTH_AUDIENCE"],
    [{ TOLLGATE_OAUTH_ISSUER: "login", TOLLGATE_OAUTH_AUDIENCE: "t" }, "TOLLGATE_OAUTH_ISSUER"],
    [{
      TOLLGATE_OAUTH_ISSUER: ISSUER,
      TOLLGATE_OAUTH_AUDIENCE: "t",
      TOLLGATE_OAUTH_JWKS: "certs",
    }, "TOLLGATE_OAUTH_JWKS"],
    [{ TOLLGATE_OAUTH_AUDIENCE: "t" }, "TOLLGATE_OAUTH_AUDIENCE"],
  ];
  for (const [env, setting] of cases) {
    throws(() => parseConfig(env, "mail.example.net"), (error) => {
      equal(error instanceof ConfigError && error.setting, setting, JSON.stringify(env));
      return true;
    });
  }
});
