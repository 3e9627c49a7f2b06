/**
 * One page of a listing and how to ask for one: what every `list()` with a
 * cursor takes and returns.
 *
 * @module
 */

/**
 * One page of a listing, with the cursor for the next page when there is one.
 *
 * @example
 * ```ts
 * import type { Page } from "@tollgate/tollgate/store";
 * const page: Page<string> = { items: ["a.example", "b.example"], cursor: "b.example" };
 * console.log(page.items.length, page.cursor); // 2 "b.example"
 * ```
 */
export interface Page<T> {
  /** The items of this page, in the store's stable order. */
  items: T[];
  /** Pass back as `cursor` to get the next page; absent on the last page. */
  cursor?: string;
}

/**
 * How much of a listing to return, and where to continue.
 *
 * @example
 * ```ts
 * import { createMemoryStores, type PageRequest } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(Date.now);
 * const first: PageRequest = { limit: 10 };
 * console.log((await stores.queue.list(first)).items); // []
 * ```
 */
export interface PageRequest {
  /** At most this many items (the caller bounds it). */
  limit: number;
  /** A cursor returned by an earlier page. */
  cursor?: string;
}
