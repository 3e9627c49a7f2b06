// Health: the server's /healthz and a summary of the queue.

import { api } from "./api.js";
import { button, details, el, heading, refocus } from "./dom.js";
import { attempt } from "./status.js";

const SUMMARY_LIMIT = 1000;

export async function renderHealth(section) {
  section.replaceChildren(heading("Health"));
  const health = await attempt(() => api("GET", "/healthz"));
  const queue = await attempt(() => api("GET", `/api/queue?limit=${SUMMARY_LIMIT}`));
  const pairs = [["Server", health?.status ?? "not answering"]];
  if (queue) {
    const count = `${queue.messages.length}${queue.cursor ? " or more" : ""}`;
    const held = queue.messages.filter((message) => message.held).length;
    const oldest = queue.messages[0]?.receivedAt ?? "–";
    pairs.push(["Queued messages", count], ["Held", String(held)], ["Oldest received", oldest]);
  }
  section.append(
    details(pairs),
    el("p", {}, el("a", { href: "#queue", text: "Open the queue" })),
    button("Refresh", () => renderHealth(section), { class: "secondary" }),
  );
  refocus();
}
