// Paging through a listing that answers `cursor` when there is a next page.

import { button, el } from "./dom.js";

export const PAGE_SIZE = 50;

/** The cursors of the pages seen so far; `at` is the page shown. */
export function createPager() {
  return { cursors: [undefined], at: 0 };
}

export function currentCursor(pager) {
  return pager.cursors[pager.at];
}

/** Previous/next buttons; `redraw` shows the page the pager then points at. */
export function pagerControls(pager, nextCursor, label, redraw) {
  const previous = button("Previous page", () => {
    pager.at--;
    redraw();
  }, { class: "secondary" });
  previous.disabled = pager.at === 0;
  const next = button("Next page", () => {
    pager.cursors[pager.at + 1] = nextCursor;
    pager.at++;
    redraw();
  }, { class: "secondary" });
  next.disabled = !nextCursor;
  return el(
    "nav",
    { "aria-label": `${label} pages` },
    previous,
    next,
    el("span", { class: "muted", text: ` Page ${pager.at + 1}` }),
  );
}
