// Outbound routes: list, add/edit/remove, "which route takes this address and
// why", and testing a route's relay and credentials step by step. Passwords
// are write-only: the API never returns them.

import { api, segment } from "./api.js";
import { addCredentials, credentialFields } from "./route_credentials.js";
import { button, details, el, field, form, heading, refocus, select, table } from "./dom.js";
import { attempt, change, fail, say } from "./status.js";

const TLS_MODES = [
  ["", "default (implicit on 465, else STARTTLS with credentials, else opportunistic)"],
  ["starttls", "STARTTLS required"],
  ["implicit", "implicit TLS"],
  ["opportunistic", "opportunistic STARTTLS"],
  ["none", "none"],
];

export function renderRoutes(section) {
  return draw(section, { editing: undefined, resolved: undefined, tested: undefined });
}

function target(route) {
  return route.delivery === "mx" ? "MX hosts" : `${route.relay}:${route.port}`;
}

async function draw(section, state) {
  const redraw = () => draw(section, state);
  const data = await attempt(() => api("GET", "/api/routes"));
  const remove = async (pattern) => {
    if (!confirm(`Remove route ${pattern}?`)) return;
    const path = `/api/routes/${segment(pattern)}`;
    if (await change(() => api("DELETE", path), `Removed route ${pattern}.`)) await redraw();
  };
  const test = async (pattern) => {
    say(`Testing route ${pattern}…`);
    const result = await attempt(() => api("POST", `/api/routes/${segment(pattern)}/test`));
    if (!result) return;
    state.tested = result;
    const failed = result.steps.find((step) => !step.ok);
    if (result.ok) say(`Route ${pattern}: the test passed.`);
    else fail(`Route ${pattern}: the test failed at ${failed?.step ?? "the start"}.`);
    await redraw();
  };
  const edit = (route) => {
    state.editing = route;
    redraw().then(() => document.querySelector("#route-form input")?.focus());
  };
  const rows = (data?.routes ?? []).map((route) => [
    route.pattern,
    target(route),
    route.tls,
    route.username ?? "–",
    el(
      "span",
      {},
      button("Edit", () => edit(route), {
        class: "secondary",
        label: `Edit route ${route.pattern}`,
      }),
      route.delivery === "relay"
        ? button("Test", () => test(route.pattern), {
          class: "secondary",
          label: `Test route ${route.pattern}`,
        })
        : null,
      button("Remove", () => remove(route.pattern), {
        class: "danger",
        label: `Remove route ${route.pattern}`,
      }),
    ),
  ]);
  section.replaceChildren(
    heading("Routes"),
    el("p", {
      class: "muted",
      text: "Where mail for remote domains goes: a relay host, or the domain's MX hosts. " +
        "* is the default route; .example.net covers subdomains.",
    }),
    table("Routes", ["Pattern", "Delivers to", "TLS", "AUTH user", "Actions"], rows),
    state.tested ? testPanel(state.tested) : null,
    routeForm(state, redraw),
    resolveForm(state, redraw),
    state.resolved ? resolvedPanel(state.resolved) : null,
  );
  refocus();
}

function routeForm(state, redraw) {
  const route = state.editing;
  const title = route ? `Edit route ${route.pattern}` : "Add a route";
  const node = form(
    title,
    [
      field({
        label: "Pattern",
        name: "pattern",
        required: true,
        value: route?.pattern,
        placeholder: "example.net, .example.net or *",
      }),
      field({ label: "Relay host (empty: MX hosts)", name: "relay", value: route?.relay }),
      field({ label: "Port", name: "port", inputmode: "numeric", value: route?.port }),
      select({ label: "TLS", name: "tls", options: TLS_MODES, value: route?.tls ?? "" }),
      ...credentialFields(route),
    ],
    "Save route",
    async (values) => {
      const body = {};
      if (values.relay) body.relay = values.relay;
      if (values.port) body.port = Number(values.port);
      if (values.tls) body.tls = values.tls;
      addCredentials(body, values);
      const path = `/api/routes/${segment(values.pattern)}`;
      const saved = (view) => `Saved route ${view.pattern} (${target(view)}).`;
      if (await change(() => api("PUT", path, body), saved)) {
        state.editing = undefined;
        await redraw();
      }
    },
  );
  node.id = "route-form";
  if (route) {
    node.append(button("Cancel", () => {
      state.editing = undefined;
      redraw();
    }, { class: "secondary" }));
  }
  return node;
}

function resolveForm(state, redraw) {
  return form(
    "Which route takes this address, and why?",
    [
      field({
        label: "Recipient address or domain",
        name: "address",
        required: true,
        placeholder: "someone@example.net",
      }),
    ],
    "Find the route",
    async (values) => {
      const domain = values.address.slice(values.address.lastIndexOf("@") + 1);
      const found = await attempt(() =>
        api("GET", `/api/routes/resolve?domain=${encodeURIComponent(domain)}`)
      );
      if (!found) return;
      state.resolved = found;
      say(`${found.domain}: ${found.why}`);
      await redraw();
    },
  );
}

function resolvedPanel(found) {
  return el(
    "section",
    { class: "panel", "aria-label": `Route for ${found.domain}` },
    el("h3", { text: `Route for ${found.domain}` }),
    details([
      ["Matched pattern", found.matched ?? "none"],
      ["Delivery", found.route ? `${found.delivery}: ${target(found.route)}` : found.delivery],
      ["Why", found.why],
    ]),
  );
}

function testPanel(result) {
  return el(
    "section",
    { class: "panel", "aria-label": `Test of route ${result.pattern}` },
    el("h3", { text: `Test of route ${result.pattern}: ${result.ok ? "passed" : "failed"}` }),
    el(
      "ol",
      {},
      result.steps.map((step) =>
        el(
          "li",
          { class: step.ok ? "ok-step" : "failed-step" },
          el("strong", { text: step.step }),
          ` (${step.ok ? "ok" : "failed"}): `,
          step.detail,
        )
      ),
    ),
  );
}
