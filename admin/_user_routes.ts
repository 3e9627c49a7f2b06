/**
 * `/api/users`: mailbox users and their passwords. No response and no log
 * line ever carries a password, a hash or a CRAM-MD5 secret.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import type { UserRecord, UserStore } from "../store/types.ts";
import type { AdminDeps } from "./deps.ts";
import { removeEntry } from "./_entry_set.ts";
import { readJsonBody } from "./_json_body.ts";
import { importedUserRecord, userImportRoutes } from "./_user_import.ts";
import { tryNormalize } from "./_normalize.ts";
import { cursorField, parsePageQuery } from "./_paging.ts";
import { normalizeUserAddress } from "./user_address.ts";

/** Longer passwords only cost hashing time; no mail client needs them. */
const MAX_PASSWORD_LENGTH = 1024;

/** `{"password": ...}`, or `{"passwordHash": ...}` to import an existing hash. */
const setPasswordBody = z.strictObject({
  password: z.string()
    .min(1, "must not be empty")
    .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`)
    .refine(
      (password) => !password.includes("\0"),
      "must not contain NUL (AUTH PLAIN cannot carry it)",
    )
    .optional(),
  passwordHash: z.string().max(
    MAX_PASSWORD_LENGTH,
    `must be at most ${MAX_PASSWORD_LENGTH} characters`,
  )
    .optional(),
}).refine((body) => (body.password === undefined) !== (body.passwordHash === undefined), {
  path: ["password"],
  message: 'give "password" or "passwordHash", not both',
});

/** What the user routes need besides the store. */
export type UserRouteDeps = Pick<AdminDeps, "setPassword" | "now"> & {
  log: (line: string) => void;
};

/** List users (paged), create or re-password them (`PUT`), and remove them. */
export function userRoutes(users: UserStore, deps: UserRouteDeps): Hono {
  const routes = new Hono();
  routes.route("/", userImportRoutes(users, deps));
  routes.get("/", async (c) => {
    const query = parsePageQuery({ limit: c.req.query("limit"), cursor: c.req.query("cursor") });
    if (query.kind === "invalid") return c.json({ error: query.error }, 400);
    const page = await users.list(query.page);
    return c.json({ users: page.items.map(userView), ...cursorField(page.cursor) });
  });
  routes.put("/:address", async (c) => {
    const address = tryNormalize(normalizeUserAddress, c.req.param("address"));
    if (address.kind === "invalid") return c.json({ error: address.error }, 400);
    const body = await readJsonBody(c.req.raw, setPasswordBody);
    if (body.kind === "invalid") return c.json({ error: body.error }, 400);
    const existed = await users.get(address.value) !== undefined;
    if (body.value.passwordHash !== undefined) {
      const imported = importedUserRecord(address.value, body.value.passwordHash, deps.now());
      if (imported.kind === "invalid") return c.json({ error: imported.error }, 400);
      await users.put(imported.user);
      const action = existed ? "changed password hash of" : "created";
      deps.log(`admin: ${action} user ${address.value} (imported ${imported.scheme} hash)`);
      return c.json(userView(imported.user), existed ? 200 : 201);
    }
    const secrets = await deps.setPassword(body.value.password!);
    const user: UserRecord = {
      address: address.value,
      passwordHash: secrets.passwordHash,
      updatedAt: deps.now(),
    };
    if (secrets.cramMd5Secret !== undefined) user.cramMd5Secret = secrets.cramMd5Secret;
    await users.put(user);
    const cramMd5 = user.cramMd5Secret === undefined ? "without" : "with";
    deps.log(
      `admin: ${
        existed ? "changed password of" : "created"
      } user ${user.address} (${cramMd5} CRAM-MD5 secret)`,
    );
    return c.json(userView(user), existed ? 200 : 201);
  });
  routes.delete("/:address", (c) =>
    removeEntry(c, c.req.param("address"), {
      store: users,
      noun: "user",
      normalize: normalizeUserAddress,
      log: deps.log,
    }));
  return routes;
}

/** The public face of a user: no secrets. */
function userView(user: UserRecord) {
  return {
    address: user.address,
    updatedAt: new Date(user.updatedAt).toISOString(),
    cramMd5: user.cramMd5Secret !== undefined,
  };
}
