// The page's entry: sign-in and sign-out, and the hash navigation between
// the views (#health, #domains, ..., #queue/<id>). The hash never holds the token.

import { api, signIn, signOut, token, whenUnauthorized } from "./api.js";
import { el } from "./dom.js";
import { clear, fail, say } from "./status.js";
import { renderHealth } from "./health.js";
import { renderDomains, renderNetworks } from "./entries.js";
import { renderUsers } from "./users.js";
import { renderRoutes } from "./routes.js";
import { renderQueue } from "./queue.js";
import { renderMessage } from "./message.js";
import { renderDkim } from "./dkim.js";

const views = {
  health: renderHealth,
  domains: renderDomains,
  users: renderUsers,
  networks: renderNetworks,
  routes: renderRoutes,
  queue: (section, params) =>
    params.length > 0 ? renderMessage(section, params[0]) : renderQueue(section),
  dkim: renderDkim,
};

const byId = (id) => document.getElementById(id);

function showSignedIn(signedIn) {
  byId("sign-in").hidden = signedIn;
  byId("nav").hidden = !signedIn;
  byId("sign-out").hidden = !signedIn;
  if (!signedIn) {
    byId("view").replaceChildren();
    byId("token").value = "";
    byId("token").focus();
  }
}

async function show() {
  if (!token()) return showSignedIn(false);
  showSignedIn(true);
  const [name, ...params] = location.hash.slice(1).split("/").map(decodeURIComponent);
  const current = name in views ? name : "health";
  for (const link of byId("nav").querySelectorAll("a")) {
    if (link.getAttribute("href") === `#${current}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const section = el("section", { "aria-labelledby": "view-title" });
  byId("view").replaceChildren(section);
  await views[current](section, params.filter((param) => param !== ""));
  byId("view-title")?.focus();
}

byId("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  clear();
  signIn(byId("token").value.trim());
  try {
    await api("GET", "/api/domains");
  } catch (error) {
    signOut();
    if (error.status !== 401) fail(error);
    return;
  }
  byId("token").value = "";
  say("Signed in.");
  await show();
});

// The skip link moves focus without touching the hash, which names the view.
document.querySelector(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  byId("main").focus();
});

byId("sign-out").addEventListener("click", () => {
  signOut();
  showSignedIn(false);
  say("Signed out.");
});

whenUnauthorized((message) => {
  showSignedIn(false);
  fail(message);
});

// Opening a section clears the last result; a change that moves on (a deleted
// message returns to the queue) keeps its result in view.
byId("nav").addEventListener("click", clear);
addEventListener("hashchange", show);
show();
