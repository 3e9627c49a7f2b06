/**
 * The handlers the local domains and the relay networks share: each is a set
 * of normalised text entries that the admin API lists, adds and removes.
 * Users and routes remove theirs with {@linkcode removeEntry} too.
 *
 * @module
 */

import type { Context } from "hono";
import { tryNormalize } from "./_normalize.ts";

/** A set of entries as the stores keep it (`DomainStore`, `NetworkStore`). */
export interface EntryStore {
  /** Every entry. */
  list(): Promise<string[]>;
  /** Adds an entry that is not there yet. */
  add(entry: string): Promise<void>;
  /** Removes an entry; false if it was not there. */
  remove(entry: string): Promise<boolean>;
  /** Whether an entry is there; `list()` is searched without it. */
  has?(entry: string): Promise<boolean>;
}

/** What the entries are called, and how one is checked. */
export interface EntrySetOptions {
  /** The store. */
  store: EntryStore;
  /** The entry in log lines and errors: `"local domain"`. */
  noun: string;
  /** The JSON field of one entry (`"domain"`) and of the listing (`"domains"`). */
  fields: { entry: string; list: string };
  /** Returns the entry in canonical form; throws a RangeError naming what is wrong. */
  normalize: (text: string) => string;
  /** Receives one line per change. */
  log: (line: string) => void;
}

/** The list, add and remove handlers of one entry set. */
export interface EntrySetHandlers {
  /** `{ [fields.list]: [...] }`. */
  list: (c: Context) => Promise<Response>;
  /** Adds `text`: `201`, `200` when it was there, `400` when it does not normalise. */
  add: (c: Context, text: string) => Promise<Response>;
  /** Removes `text`: `204`, `404` when it was not there, `400` when it does not normalise. */
  remove: (c: Context, text: string) => Promise<Response>;
}

/**
 * Builds the handlers of one entry set; the routes pass the entry's text from
 * the path or the body.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { entrySetHandlers } from "./_entry_set.ts";
 * const entries = new Set<string>();
 * const tags = entrySetHandlers({
 *   store: {
 *     list: () => Promise.resolve([...entries]),
 *     add: (tag) => Promise.resolve(void entries.add(tag)),
 *     remove: (tag) => Promise.resolve(entries.delete(tag)),
 *   },
 *   noun: "tag", fields: { entry: "tag", list: "tags" }, normalize: (text) => text.toLowerCase(),
 *   log: console.log,
 * });
 * const app = new Hono().put("/:tag", (c) => tags.add(c, c.req.param("tag")));
 * console.log((await app.request("/Blue", { method: "PUT" })).status); // 201
 * ```
 */
export function entrySetHandlers(options: EntrySetOptions): EntrySetHandlers {
  const { store, noun, fields, normalize, log } = options;
  const has = async (entry: string) =>
    store.has ? await store.has(entry) : (await store.list()).includes(entry);
  return {
    list: async (c) => c.json({ [fields.list]: await store.list() }),
    async add(c, text) {
      const entry = tryNormalize(normalize, text);
      if (entry.kind === "invalid") return c.json({ error: entry.error }, 400);
      if (await has(entry.value)) return c.json({ [fields.entry]: entry.value }, 200);
      await store.add(entry.value);
      log(`admin: added ${noun} ${entry.value}`);
      return c.json({ [fields.entry]: entry.value }, 201);
    },
    remove: (c, text) => removeEntry(c, text, options),
  };
}

/**
 * `DELETE` of one entry: `204`, `404` when it was not there, `400` when
 * `text` does not normalise; logs the removal.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { removeEntry } from "./_entry_set.ts";
 * const tags = new Set(["blue"]);
 * const app = new Hono().delete("/:tag", (c) =>
 *   removeEntry(c, c.req.param("tag"), {
 *     store: { remove: (tag) => Promise.resolve(tags.delete(tag)) },
 *     noun: "tag", normalize: (text) => text.toLowerCase(), log: console.log,
 *   }));
 * console.log((await app.request("/Blue", { method: "DELETE" })).status); // 204
 * ```
 */
export async function removeEntry(
  c: Context,
  text: string,
  options: Pick<EntrySetOptions, "noun" | "normalize" | "log"> & {
    store: Pick<EntryStore, "remove">;
  },
): Promise<Response> {
  const { store, noun, normalize, log } = options;
  const entry = tryNormalize(normalize, text);
  if (entry.kind === "invalid") return c.json({ error: entry.error }, 400);
  if (!await store.remove(entry.value)) {
    return c.json({ error: `No such ${noun}: ${entry.value}` }, 404);
  }
  log(`admin: removed ${noun} ${entry.value}`);
  return c.body(null, 204);
}
