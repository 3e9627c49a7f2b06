// Health: the server's /healthz and a summary of the queue.

import { api } from "./api.js";
import { button, details, el, heading, refocus } from "./dom.js";
import { attempt } from "./status.js";

export async function renderHealth(section) {
  section.replaceChildren(heading("Health"));
  const health = await attempt(() => api("GET", "/healthz"));
  const queue = await attempt(() => api("GET", "/api/queue/stats"));
  const pairs = [["Server", health?.status ?? "not answering"]];
  if (queue) {
    pairs.push(
      ["Queued messages", String(queue.messages)],
      ["Held", String(queue.held)],
      ["Bytes", String(queue.bytes)],
      ["Oldest received", queue.oldestReceivedAt ?? "–"],
    );
  }
  section.append(
    details(pairs),
    el("p", {}, el("a", { href: "#queue", text: "Open the queue" })),
    button("Refresh", () => renderHealth(section), { class: "secondary" }),
  );
  refocus();
}
