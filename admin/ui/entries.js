// Local domains and trusted (relay) networks: two lists of entries to add and remove.

import { api, segment } from "./api.js";
import { button, el, field, form, heading, refocus, table } from "./dom.js";
import { attempt, change } from "./status.js";

function entryList(config) {
  return async function render(section) {
    const data = await attempt(() => api("GET", config.listPath));
    const remove = async (entry) => {
      if (!confirm(`Remove ${config.noun} ${entry}?`)) return;
      const path = `${config.listPath}/${segment(entry)}`;
      if (await change(() => api("DELETE", path), `Removed ${config.noun} ${entry}.`)) {
        await render(section);
      }
    };
    const rows = (data?.[config.listField] ?? []).map((entry) => [
      entry,
      button("Remove", () => remove(entry), { class: "danger", label: `Remove ${entry}` }),
    ]);
    const add = form(`Add a ${config.noun}`, [field(config.input)], "Add", async (values) => {
      const added = (result) => `Added ${config.noun} ${result[config.entryField]}.`;
      if (await change(() => config.add(values.entry), added)) await render(section);
    });
    section.replaceChildren(
      heading(config.title),
      el("p", { class: "muted", text: config.about }),
      table(config.title, [config.column, "Actions"], rows),
      add,
    );
    refocus();
  };
}

export const renderDomains = entryList({
  title: "Domains",
  noun: "local domain",
  about: "Mail for these domains is accepted for local users; a leading dot covers subdomains.",
  listPath: "/api/domains",
  listField: "domains",
  entryField: "domain",
  column: "Domain",
  input: { label: "Domain", name: "entry", required: true, placeholder: "example.net" },
  add: (domain) => api("PUT", `/api/domains/${segment(domain)}`),
});

export const renderNetworks = entryList({
  title: "Trusted networks",
  noun: "trusted network",
  about: "Clients in these networks may relay without AUTH (no password asked).",
  listPath: "/api/relay-networks",
  listField: "networks",
  entryField: "cidr",
  column: "Network",
  input: { label: "Network (CIDR)", name: "entry", required: true, placeholder: "192.0.2.0/24" },
  add: (cidr) => api("POST", "/api/relay-networks", { cidr }),
});
