// Users: a paged list, creating a user or setting its password (never shown:
// the API returns no hash), removing one, and the senders each may use.

import { api, pageQuery, segment } from "./api.js";
import { button, el, field, form, heading, refocus, table } from "./dom.js";
import { createPager, currentCursor, PAGE_SIZE, pagerControls } from "./paging.js";
import { attempt, change } from "./status.js";

export function renderUsers(section) {
  return draw(section, { pager: createPager(), senders: undefined });
}

async function draw(section, state) {
  const redraw = () => draw(section, state);
  const page = await attempt(() =>
    api("GET", `/api/users${pageQuery(PAGE_SIZE, currentCursor(state.pager))}`)
  );
  const remove = async (address) => {
    if (!confirm(`Remove user ${address}?`)) return;
    const path = `/api/users/${segment(address)}`;
    if (await change(() => api("DELETE", path), `Removed user ${address}.`)) await redraw();
  };
  const showSenders = (address) => {
    state.senders = address;
    redraw();
  };
  const rows = (page?.users ?? []).map((user) => [
    user.address,
    user.updatedAt,
    user.cramMd5 ? "yes" : "no",
    el(
      "span",
      {},
      button("Sender grants", () => showSenders(user.address), {
        class: "secondary",
        label: `Sender grants of ${user.address}`,
      }),
      button("Remove", () => remove(user.address), {
        class: "danger",
        label: `Remove ${user.address}`,
      }),
    ),
  ]);
  const save = form(
    "Add a user or set a password",
    [
      field({ label: "Address", name: "address", required: true, placeholder: "user@example.net" }),
      field({
        label: "Password",
        name: "password",
        type: "password",
        required: true,
        autocomplete: "new-password",
      }),
    ],
    "Save",
    async (values, node) => {
      const body = { password: values.password };
      const path = `/api/users/${segment(values.address)}`;
      const saved = (user) => `Saved user ${user.address}; the password is set.`;
      if (await change(() => api("PUT", path, body), saved)) {
        node.reset();
        await redraw();
      }
    },
  );
  section.replaceChildren(
    heading("Users"),
    table("Users", ["Address", "Password changed", "CRAM-MD5", "Actions"], rows),
    pagerControls(state.pager, page?.cursor, "Users", redraw),
    save,
    form(
      "Show the sender grants of a user",
      [
        field({ label: "User address", name: "address", required: true }),
      ],
      "Show",
      (values) => showSenders(values.address),
    ),
  );
  if (state.senders !== undefined) section.append(await sendersPanel(state.senders, redraw));
  refocus();
}

async function sendersPanel(user, redraw) {
  const path = `/api/users/${segment(user)}/senders`;
  const data = await attempt(() => api("GET", path));
  const withdraw = async (sender) => {
    const done = `Withdrew sender ${sender} from ${user}.`;
    if (await change(() => api("DELETE", `${path}/${segment(sender)}`), done)) await redraw();
  };
  const rows = (data?.senders ?? []).map((sender) => [
    sender,
    button("Withdraw", () => withdraw(sender), {
      class: "danger",
      label: `Withdraw ${sender}`,
    }),
  ]);
  const title = `Sender grants of ${user}`;
  return el(
    "section",
    { class: "panel", "aria-label": title },
    el("h3", { text: title }),
    el("p", {
      class: "muted",
      text:
        "Envelope senders this user may use besides its own address; @domain allows a whole domain.",
    }),
    table(title, ["Sender", "Actions"], rows),
    form(
      `Allow a sender for ${user}`,
      [
        field({
          label: "Sender",
          name: "sender",
          required: true,
          placeholder: "alias@example.net or @example.net",
        }),
      ],
      "Allow",
      async (values) => {
        const done = (grant) => `Allowed ${grant.sender} for ${grant.user}.`;
        if (await change(() => api("POST", path, { sender: values.sender }), done)) await redraw();
      },
    ),
  );
}
