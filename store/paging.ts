/**
 * Cursor paging shared by the backends: a cursor is the sort key of the last
 * item of the previous page, and a page starts strictly after it.
 *
 * @module
 */
import type { Page, PageRequest } from "./types.ts";

/**
 * Throws a `RangeError` unless `limit` is a positive safe integer.
 *
 * @example
 * ```ts
 * import { assertPageLimit } from "./paging.ts";
 * assertPageLimit(10); // fine
 * ```
 */
export function assertPageLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`Cannot list: limit must be a positive integer, got ${limit}`);
  }
}

/**
 * One page of `sorted` (ascending by `keyOf`): up to `page.limit` items whose
 * key is greater than `page.cursor`, and a cursor when more follow.
 *
 * @example
 * ```ts
 * import { pageOf } from "./paging.ts";
 * const page = pageOf(["a", "b", "c"], (s) => s, { limit: 2, cursor: "a" });
 * console.log(page); // { items: ["b", "c"] }
 * ```
 */
export function pageOf<T>(sorted: T[], keyOf: (item: T) => string, page: PageRequest): Page<T> {
  assertPageLimit(page.limit);
  const cursor = page.cursor;
  const start = cursor === undefined ? 0 : sorted.findIndex((item) => keyOf(item) > cursor);
  const rest = start === -1 ? [] : sorted.slice(start);
  const items = rest.slice(0, page.limit);
  return rest.length > page.limit ? { items, cursor: keyOf(items[items.length - 1]) } : { items };
}
