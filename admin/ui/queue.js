// The queue: a paged list of waiting messages, and holding, releasing or
// retrying every message for a route or a recipient domain.

import { api, pageQuery } from "./api.js";
import { el, field, form, heading, refocus, select, table } from "./dom.js";
import { createPager, currentCursor, PAGE_SIZE, pagerControls } from "./paging.js";
import { attempt, change } from "./status.js";

export function renderQueue(section) {
  return draw(section, createPager());
}

async function draw(section, pager) {
  const redraw = () => draw(section, pager);
  const page = await attempt(() =>
    api("GET", `/api/queue${pageQuery(PAGE_SIZE, currentCursor(pager))}`)
  );
  const rows = (page?.messages ?? []).map((message) => [
    el("a", { href: `#queue/${message.id}`, text: message.id }),
    message.from || "<>",
    message.to.join(", "),
    message.receivedAt,
    `${message.size} bytes`,
    message.held ? "held" : "queued",
  ]);
  section.replaceChildren(
    heading("Queue"),
    table(
      "Queued messages, oldest first",
      ["ID", "From", "To", "Received", "Size", "State"],
      rows,
      "the queue is empty.",
    ),
    pagerControls(pager, page?.cursor, "Queue", redraw),
    el("button", { type: "button", class: "secondary", text: "Refresh", onclick: redraw }),
    bulkForm(redraw),
  );
  refocus();
}

function bulkForm(redraw) {
  return form(
    "Hold, release or retry many messages",
    [
      select({
        label: "Action",
        name: "action",
        options: [["hold", "Hold"], ["release", "Release"], ["retry", "Retry now"]],
      }),
      select({
        label: "Messages for",
        name: "by",
        options: [["route", "the route"], ["domain", "the recipient domain"]],
      }),
      field({
        label: "Route pattern or domain",
        name: "value",
        required: true,
        placeholder: "* or example.net",
      }),
    ],
    "Apply",
    async (values) => {
      const body = { [values.by]: values.value };
      const done = (result) =>
        `${values.action} for ${values.by} ${values.value}: ${result.matched} matched, ${result.changed} changed.`;
      if (await change(() => api("POST", `/api/queue/${values.action}`, body), done)) {
        await redraw();
      }
    },
  );
}
