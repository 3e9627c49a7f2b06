/**
 * A set of normalised text entries the admin API lists, adds and removes,
 * logging each change: the local domains and relay networks; users and
 * routes remove theirs through it too.
 *
 * @module
 */

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

/** Adding and removing entries (already in canonical form) with a log line per change. */
export interface EntrySet {
  /** Adds `entry`: true when it was added, false when it was there. */
  add(entry: string): Promise<boolean>;
  /** Removes `entry`: false when it was not there. */
  remove(entry: string): Promise<boolean>;
}

/** The entry set over `store`; `noun` names an entry in log lines (`"local domain"`). */
export function entrySet(store: EntryStore, noun: string, log: (line: string) => void): EntrySet {
  const has = async (entry: string) =>
    store.has ? await store.has(entry) : (await store.list()).includes(entry);
  return {
    async add(entry) {
      if (await has(entry)) return false;
      await store.add(entry);
      log(`admin: added ${noun} ${entry}`);
      return true;
    },
    remove: (entry) => removeEntry(store, noun, entry, log),
  };
}

/** Removes `entry` from `store` and logs it; false when it was not there. */
export async function removeEntry(
  store: Pick<EntryStore, "remove">,
  noun: string,
  entry: string,
  log: (line: string) => void,
): Promise<boolean> {
  if (!await store.remove(entry)) return false;
  log(`admin: removed ${noun} ${entry}`);
  return true;
}

/** The `404` message for an entry that is not there. */
export function noSuch(noun: string, entry: string): { error: string } {
  return { error: `No such ${noun}: ${entry}` };
}
