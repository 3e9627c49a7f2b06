/**
 * Moving users in with the passwords they have: one hash through
 * `PUT /api/users/{address}` (`{"passwordHash": "..."}`), or a whole Dovecot
 * passwd-file or vpopmail `vpasswd` file through `POST /api/users/import`.
 * Hashes are stored as given and upgraded to scrypt at the user's next login
 * (`auth/store_verifier.ts`). No response or log line carries a hash.
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { readPasswordHash } from "../auth/legacy_hashes.ts";
import { needsRehash } from "../auth/password_hash.ts";
import type { UserRecord, UserStore } from "../store/types.ts";
import { adminRouter, errorReply, jsonReply, type Reply, tokenRoute } from "./_api_schema.ts";
import { tryNormalize } from "./_normalize.ts";
import { normalizeUserAddress } from "./user_address.ts";

/** A user record built from an imported hash, or why the hash is refused. */
export type ImportedUser =
  | { kind: "valid"; user: UserRecord; scheme: string }
  | { kind: "invalid"; error: string };

/** The file formats `POST /api/users/import` reads. */
export type UserFileFormat = "passwd-file" | "vpasswd";

/** One refused line of an imported file (1-based line number). */
export interface LineError {
  line: number;
  error: string;
}

/**
 * The record for `address` with an existing hash: a scrypt PHC string or
 * any format `auth/legacy_hashes.ts` reads. A `{CRAM-MD5}` hash also becomes
 * the user's CRAM-MD5 secret.
 */
export function importedUserRecord(address: string, hash: string, now: number): ImportedUser {
  const read = readPasswordHash(hash);
  if (read.kind === "invalid") return { kind: "invalid", error: `passwordHash: ${read.reason}` };
  if (read.kind === "scrypt") {
    try {
      needsRehash(read.phc);
    } catch (error) {
      return { kind: "invalid", error: `passwordHash: ${(error as Error).message}` };
    }
    return {
      kind: "valid",
      user: { address, passwordHash: hash, updatedAt: now },
      scheme: "SCRYPT",
    };
  }
  const user: UserRecord = { address, passwordHash: hash, updatedAt: now };
  if (read.hash.scheme === "CRAM-MD5") user.cramMd5Secret = read.hash.value;
  return { kind: "valid", user, scheme: read.hash.scheme };
}

/**
 * Reads a Dovecot passwd-file (`user:{SCHEME}hash:uid:gid:...`, a hash
 * without prefix being crypt(3)) or a vpopmail `vpasswd`
 * (`name:crypt:uid:gid:gecos:dir:quota[:clear]`; its clear-text field is
 * ignored). Blank lines and `#` comments are skipped; a name without `@`
 * gets `@domain`, which `vpasswd` always needs. A later line for the same
 * address is refused.
 */
export function parseUserFile(
  text: string,
  options: { format: UserFileFormat; domain?: string; now: number },
): { users: UserRecord[]; errors: LineError[] } {
  const users: UserRecord[] = [];
  const errors: LineError[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    const fields = raw.split(":");
    if (fields.length < 2 || fields[1] === "") {
      return errors.push({ line, error: "expected name:hash[:...]" });
    }
    const name = fields[0].trim();
    if (options.format === "vpasswd" && name.includes("@")) {
      return errors.push({ line, error: "a vpasswd name has no '@'" });
    }
    const withDomain = name.includes("@") || options.domain === undefined
      ? name
      : `${name}@${options.domain}`;
    const address = tryNormalize(normalizeUserAddress, withDomain);
    if (address.kind === "invalid") return errors.push({ line, error: address.error });
    const first = seen.get(address.value);
    if (first !== undefined) {
      return errors.push({ line, error: `${address.value} is already on line ${first}` });
    }
    const imported = importedUserRecord(address.value, fields[1], options.now);
    if (imported.kind === "invalid") return errors.push({ line, error: imported.error });
    seen.set(address.value, line);
    users.push(imported.user);
  });
  return { users, errors };
}

const ImportQuery = z.object({
  format: z.enum(["passwd-file", "vpasswd"], {
    error: 'Invalid format: expected "passwd-file" or "vpasswd"',
  }).openapi({ param: { description: "The file format." } }),
  domain: z.string().optional().openapi({
    param: { description: "The domain of names without `@` (required for `vpasswd`)." },
    example: "example.net",
  }),
});

const importUsers = tokenRoute({
  method: "post",
  path: "/import",
  tags: ["Users"],
  summary: "Import users from a passwd-file or vpasswd",
  description: "Moves users in with the hashes they have: a Dovecot passwd-file " +
    "(`user:{SCHEME}hash:...`) or a vpopmail `vpasswd`. Lines that cannot be read are " +
    "reported and skipped; the others are created or updated. Hashes are upgraded to " +
    "scrypt at each user's next login.",
  request: {
    query: ImportQuery,
    body: { required: true, content: { "text/plain": { schema: z.string() } } },
  },
  responses: {
    200: jsonReply(
      "What was imported, and each refused line.",
      z.object({
        imported: z.number().int(),
        created: z.number().int(),
        updated: z.number().int(),
        errors: z.array(z.object({ line: z.number().int(), error: z.string() })),
      }).openapi("UserImport"),
    ),
    400: errorReply("The format is unknown, or a vpasswd comes without `domain`."),
  },
});

/** `POST /import?format=passwd-file|vpasswd[&domain=...]` with the file as the body. */
export function userImportRoutes(
  users: UserStore,
  deps: { now: () => number; log: (line: string) => void },
): OpenAPIHono {
  const routes = adminRouter();
  routes.openapi(importUsers, async (c): Reply<typeof importUsers> => {
    const { format, domain: domainText } = c.req.valid("query");
    if (format === "vpasswd" && domainText === undefined) {
      return c.json({ error: "Missing domain: a vpasswd file holds one domain's users" }, 400);
    }
    const domain = domainText?.trim().toLowerCase();
    const parsed = parseUserFile(await c.req.text(), { format, domain, now: deps.now() });
    let created = 0;
    for (const user of parsed.users) {
      if (await users.get(user.address) === undefined) created++;
      await users.put(user);
    }
    const updated = parsed.users.length - created;
    deps.log(
      `admin: imported ${parsed.users.length} users from a ${format} (${created} created, ` +
        `${updated} updated, ${parsed.errors.length} lines refused)`,
    );
    return c.json({ imported: parsed.users.length, created, updated, errors: parsed.errors }, 200);
  });
  return routes;
}
