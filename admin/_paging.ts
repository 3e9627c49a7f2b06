/**
 * Reads `?limit` and `?cursor` for the paged listings (users, queue).
 *
 * @module
 */

import type { PageRequest } from "../store/types.ts";

/** The page size when `?limit` is absent. */
export const DEFAULT_PAGE_LIMIT = 100;
/** The largest `?limit` accepted. */
export const MAX_PAGE_LIMIT = 100_000;
/** The longest `?cursor` accepted; store cursors are far shorter. */
const MAX_CURSOR_LENGTH = 1024;

/** A page request, or why the query was refused. */
export type PageQuery =
  | { kind: "valid"; page: PageRequest }
  | { kind: "invalid"; error: string };

/**
 * Validates the raw query values: `limit` is a decimal integer in
 * 1..{@linkcode MAX_PAGE_LIMIT} (default {@linkcode DEFAULT_PAGE_LIMIT}),
 * `cursor` a non-empty string handed back unchanged to the store.
 */
export function parsePageQuery(query: { limit?: string; cursor?: string }): PageQuery {
  const { limit, cursor } = query;
  let pageLimit = DEFAULT_PAGE_LIMIT;
  if (limit !== undefined) {
    pageLimit = /^[0-9]{1,6}$/.test(limit) ? Number(limit) : NaN;
    if (!(pageLimit >= 1 && pageLimit <= MAX_PAGE_LIMIT)) {
      return {
        kind: "invalid",
        error: `Invalid query parameter "limit": expected an integer from 1 to ${MAX_PAGE_LIMIT}`,
      };
    }
  }
  if (cursor === undefined) return { kind: "valid", page: { limit: pageLimit } };
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    return {
      kind: "invalid",
      error: `Invalid query parameter "cursor": expected 1 to ${MAX_CURSOR_LENGTH} characters`,
    };
  }
  return { kind: "valid", page: { limit: pageLimit, cursor } };
}

/** `{ cursor }` when there is a next page, `{}` on the last one. */
export function cursorField(cursor: string | undefined): { cursor?: string } {
  return cursor === undefined ? {} : { cursor };
}
