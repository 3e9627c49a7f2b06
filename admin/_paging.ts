/**
 * The `?limit=&cursor=` query of the paged listings (users, queue), and the
 * `cursor` of their replies.
 *
 * @module
 */

import { z } from "@hono/zod-openapi";
import type { PageRequest } from "../store/types.ts";

/** The page size when `?limit` is absent. */
export const DEFAULT_PAGE_LIMIT = 100;
/** The largest `?limit` accepted. */
export const MAX_PAGE_LIMIT = 100_000;
/** The longest `?cursor` accepted; store cursors are far shorter. */
const MAX_CURSOR_LENGTH = 1024;

const LIMIT_ERROR =
  `Invalid query parameter "limit": expected an integer from 1 to ${MAX_PAGE_LIMIT}`;
const CURSOR_ERROR =
  `Invalid query parameter "cursor": expected 1 to ${MAX_CURSOR_LENGTH} characters`;

/**
 * `limit`: a decimal integer in 1..{@linkcode MAX_PAGE_LIMIT} (default
 * {@linkcode DEFAULT_PAGE_LIMIT}); `cursor`: the `cursor` of the previous
 * page, handed back unchanged to the store.
 */
export const PageQuery = z.object({
  limit: z.string().regex(/^[0-9]{1,6}$/, LIMIT_ERROR)
    .transform(Number)
    .refine((limit) => limit >= 1 && limit <= MAX_PAGE_LIMIT, LIMIT_ERROR)
    .optional()
    .openapi({
      param: {
        description: `Entries per page, 1 to ${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT}).`,
      },
      example: "100",
    }),
  cursor: z.string().min(1, CURSOR_ERROR).max(MAX_CURSOR_LENGTH, CURSOR_ERROR).optional()
    .openapi({ param: { description: "The `cursor` of the previous page." } }),
});

/** The `cursor` of a paged reply: there only when there is a next page. */
export const NextCursor = z.string().optional().openapi({
  description: "Pass as `?cursor=` for the next page; absent on the last page.",
});

/** The store's page request for a validated query. */
export function pageRequest(query: z.output<typeof PageQuery>): PageRequest {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  return query.cursor === undefined ? { limit } : { limit, cursor: query.cursor };
}

/** `{ cursor }` when there is a next page, `{}` on the last one. */
export function cursorField(cursor: string | undefined): { cursor?: string } {
  return cursor === undefined ? {} : { cursor };
}
