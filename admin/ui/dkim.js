// DKIM keys: per signing domain its selectors, making or rotating keys (with
// the DNS records to publish) and removing them.

import { api, segment } from "./api.js";
import { button, field, form, heading, refocus, table } from "./dom.js";
import { attempt, change } from "./status.js";

export function renderDkim(section) {
  return draw(section, { records: undefined });
}

async function draw(section, state) {
  const redraw = () => draw(section, state);
  const data = await attempt(() => api("GET", "/api/dkim"));
  const removeSelector = async (domain, selector) => {
    if (!confirm(`Remove DKIM key ${selector} of ${domain}?`)) return;
    const path = `/api/dkim/${segment(domain)}/${segment(selector)}`;
    if (await change(() => api("DELETE", path), `Removed DKIM key ${selector} of ${domain}.`)) {
      await redraw();
    }
  };
  const rows = (data?.domains ?? []).flatMap((entry) =>
    entry.keys.map((key) => [
      entry.domain,
      key.selector,
      key.algorithm,
      key.createdAt,
      button("Remove", () => removeSelector(entry.domain, key.selector), {
        class: "danger",
        label: `Remove DKIM key ${key.selector} of ${entry.domain}`,
      }),
    ])
  );
  section.replaceChildren(
    heading("DKIM keys"),
    table("Signing keys", ["Domain", "Selector", "Algorithm", "Created", "Actions"], rows),
    form(
      "Make or rotate keys for a domain",
      [
        field({ label: "Domain", name: "domain", required: true, placeholder: "example.net" }),
        field({
          label: "Selector (optional)",
          name: "selector",
          hint: "Empty: one is made from the date.",
        }),
      ],
      "Make keys",
      async (values) => {
        const body = values.selector ? { selector: values.selector } : {};
        const path = `/api/dkim/${segment(values.domain)}`;
        let made;
        const done = (view) => {
          made = view;
          return `Made DKIM keys for ${view.domain}; publish the DNS records below.`;
        };
        if (await change(() => api("PUT", path, body), done)) {
          state.records = made;
          await redraw();
        }
      },
    ),
    state.records
      ? table(
        `DNS records to publish for ${state.records.domain}`,
        ["Name", "Type", "Value"],
        state.records.records.map((record) => [record.name, record.type, record.value]),
      )
      : null,
  );
  refocus();
}
