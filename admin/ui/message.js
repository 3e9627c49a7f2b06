// One queued message: envelope, delivery state per recipient and header
// fields (encoded words decoded); retry now, hold, release and delete (after a
// confirmation).

import { api, segment } from "./api.js";
import { button, details, el, heading, refocus, table } from "./dom.js";
import { decodeEncodedWords } from "./encoded_words.js";
import { attempt, change } from "./status.js";

export async function renderMessage(section, id) {
  const redraw = () => renderMessage(section, id);
  const path = `/api/queue/${segment(id)}`;
  const [message, header] = await Promise.all([
    attempt(() => api("GET", path)),
    attempt(() => api("GET", `${path}/headers`)),
  ]);
  const back = el("p", {}, el("a", { href: "#queue", text: "Back to the queue" }));
  if (!message) {
    section.replaceChildren(heading(`Message ${id}`), back);
    return refocus();
  }
  const act = async (action, done) => {
    if (await change(() => api("POST", `${path}/${action}`), done)) await redraw();
  };
  const remove = async () => {
    if (!confirm(`Delete message ${id}? It is not delivered and no bounce is sent.`)) return;
    if (await change(() => api("DELETE", path), `Deleted message ${id}.`)) location.hash = "#queue";
  };
  const retry = button("Retry now", () => act("retry", `Message ${id} is due now.`));
  retry.disabled = message.held;
  const state = message.held
    ? "held: not delivered until released"
    : `queued; next attempt ${message.nextAttemptAt}`;
  section.replaceChildren(
    heading(`Message ${id}`),
    back,
    details([
      ["State", state],
      ["From", message.from || "<>"],
      ["To", message.to.join(", ")],
      ["Authenticated user", message.authUser ?? "none"],
      ["Client", message.clientAddress],
      ["HELO", message.helo],
      ["Received", message.receivedAt],
      ["Size", `${message.size} bytes`],
    ]),
    el(
      "div",
      { role: "group", "aria-label": "Actions" },
      retry,
      message.held
        ? button("Release", () => act("release", `Released message ${id}.`))
        : button("Hold", () => act("hold", `Held message ${id}.`)),
      button("Delete", remove, { class: "danger" }),
    ),
    table(
      "Delivery state per recipient",
      ["Recipient", "Status", "Attempts", "Last reply", "Last attempt"],
      message.recipients.map((
        one,
      ) => [one.address, one.status, one.attempts, one.lastReply ?? "–", one.lastAttemptAt ?? "–"]),
    ),
    header
      ? table(
        header.truncated ? "Header fields (cut at 64 KiB)" : "Header fields",
        ["Field", "Value"],
        header.headers.map((one) => [one.name, decodeEncodedWords(one.value)]),
      )
      : null,
  );
  refocus();
}
