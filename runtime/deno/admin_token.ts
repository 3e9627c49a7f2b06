/**
 * The admin API's bearer token: from `TOLLGATE_ADMIN_TOKEN`, or generated
 * once into the data folder (mode 0600) and read from there afterwards.
 *
 * @module
 */

/** Where the token came from. */
export interface AdminToken {
  /** The token itself. */
  token: string;
  /** The file that holds it, when it was not given in the environment. */
  path?: string;
  /** Whether this start created the file. */
  created: boolean;
}

/**
 * Reads `<dataDir>/admin-token`, or creates it with 32 random bytes
 * (base64url) and mode 0600.
 *
 * @example
 * ```ts ignore
 * const { token, path } = await loadOrCreateAdminToken("./data");
 * console.log(`admin token in ${path}`);
 * ```
 */
export async function loadOrCreateAdminToken(dataDir: string): Promise<AdminToken> {
  const path = `${dataDir}/admin-token`;
  try {
    return { token: (await Deno.readTextFile(path)).trim(), path, created: false };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
  await Deno.mkdir(dataDir, { recursive: true });
  await Deno.writeTextFile(path, `${token}\n`, { mode: 0o600, createNew: true });
  return { token, path, created: true };
}
