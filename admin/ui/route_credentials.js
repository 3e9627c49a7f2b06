// A route's credentials in the route form: a user and password (or none), or
// OAuth 2.0 (XOAUTH2 / OAUTHBEARER with a token endpoint). Secrets are
// write-only: an empty field keeps what is stored, as the API does.

import { checkbox, el, field, select } from "./dom.js";

const MECHANISMS = ["CRAM-MD5", "PLAIN", "LOGIN"];
const OAUTH_MECHANISMS = [["xoauth2", "XOAUTH2"], ["oauthbearer", "OAUTHBEARER"]];
const KINDS = [["password", "User and password, or none"], ["oauth", "OAuth 2.0"]];

/** The credentials part of the form for `route` (undefined: a new route). */
export function credentialFields(route) {
  const oauth = route?.auth;
  const password = el(
    "fieldset",
    { hidden: Boolean(oauth) },
    el("legend", { text: "User and password" }),
    field({ label: "AUTH user", name: "username", value: oauth ? undefined : route?.username }),
    field({
      label: "AUTH password",
      name: "password",
      type: "password",
      autocomplete: "new-password",
      hint: !oauth && route?.username ? "Empty keeps the stored password." : undefined,
    }),
    el(
      "fieldset",
      {},
      el("legend", { text: "AUTH mechanisms (none ticked: any)" }),
      MECHANISMS.map((name) =>
        checkbox({
          label: name,
          name: "mechanisms",
          value: name,
          checked: route?.mechanisms?.includes(name),
        })
      ),
    ),
  );
  const keeps = (isSet) => isSet ? "Empty keeps the stored one." : undefined;
  const oauthFields = el(
    "fieldset",
    { hidden: !oauth },
    el("legend", { text: "OAuth 2.0" }),
    select({
      label: "SASL mechanism",
      name: "oauthMechanism",
      options: OAUTH_MECHANISMS,
      value: oauth?.mechanism,
    }),
    field({ label: "Mailbox (the token's user)", name: "oauthUser", value: oauth?.user }),
    field({ label: "Token URL", name: "tokenUrl", value: oauth?.oauth2.tokenUrl }),
    field({ label: "Client ID", name: "clientId", value: oauth?.oauth2.clientId }),
    field({
      label: "Client secret",
      name: "clientSecret",
      type: "password",
      autocomplete: "new-password",
      hint: keeps(oauth?.oauth2.clientSecretSet),
    }),
    field({
      label: "Refresh token (none: the client credentials grant)",
      name: "refreshToken",
      type: "password",
      autocomplete: "new-password",
      hint: keeps(oauth?.oauth2.refreshTokenSet),
    }),
    field({ label: "Scope", name: "scope", value: oauth?.oauth2.scope }),
  );
  const kind = select({
    label: "Credentials",
    name: "credentials",
    options: KINDS,
    value: oauth ? "oauth" : "password",
  });
  kind.querySelector("select").addEventListener("change", (event) => {
    const useOAuth = event.target.value === "oauth";
    password.hidden = useOAuth;
    oauthFields.hidden = !useOAuth;
  });
  return [kind, password, oauthFields];
}

/** Adds the credentials the form's `values` give to a route `PUT` body. */
export function addCredentials(body, values) {
  if (values.credentials === "oauth") {
    const oauth2 = { tokenUrl: values.tokenUrl, clientId: values.clientId };
    if (values.clientSecret) oauth2.clientSecret = values.clientSecret;
    if (values.refreshToken) oauth2.refreshToken = values.refreshToken;
    if (values.scope) oauth2.scope = values.scope;
    body.auth = { mechanism: values.oauthMechanism, user: values.oauthUser, oauth2 };
    return;
  }
  if (values.username) body.username = values.username;
  if (values.password) body.password = values.password;
  if (values.mechanisms.length > 0) body.mechanisms = values.mechanisms;
}
