/**
 * `/api/users`: mailbox users and their passwords. No response and no log
 * line ever carries a password, a hash or a CRAM-MD5 secret.
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { UserRecord, UserStore } from "../store/types.ts";
import type { AdminDeps } from "./deps.ts";
import {
  adminRouter,
  errorReply,
  jsonReply,
  NO_CONTENT,
  noContent,
  pathParam,
  type Reply,
  tokenRoute,
} from "./_api_schema.ts";
import { noSuch, removeEntry } from "./_entry_set.ts";
import { jsonObjectBody } from "./_json_body.ts";
import { importedUserRecord, userImportRoutes } from "./_user_import.ts";
import { cursorField, NextCursor, PageQuery, pageRequest } from "./_paging.ts";
import { normalizeUserAddress } from "./user_address.ts";

/** Longer passwords only cost hashing time; no mail client needs them. */
const MAX_PASSWORD_LENGTH = 1024;

const tags = ["Users"];

/** `{"password": ...}`, or `{"passwordHash": ...}` to import an existing hash. */
const SetPasswordBody = z.strictObject({
  password: z.string()
    .min(1, "must not be empty")
    .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`)
    .refine(
      (password) => !password.includes("\0"),
      "must not contain NUL (AUTH PLAIN cannot carry it)",
    )
    .optional()
    .openapi({ description: "The new password; write-only.", format: "password" }),
  passwordHash: z.string().max(
    MAX_PASSWORD_LENGTH,
    `must be at most ${MAX_PASSWORD_LENGTH} characters`,
  )
    .optional()
    .openapi({
      description: "An existing hash to import instead: a scrypt PHC string, or " +
        "`{SCHEME}hash` as Dovecot writes it, or crypt(3); write-only.",
    }),
}).refine((body) => (body.password === undefined) !== (body.passwordHash === undefined), {
  path: ["password"],
  message: 'give "password" or "passwordHash", not both',
}).openapi("SetPassword", { description: 'Exactly one of "password" and "passwordHash".' });

/** A user as the API shows it: no secrets. */
const User = z.object({
  address: z.string().openapi({ example: "test@example.net" }),
  updatedAt: z.string().openapi({ format: "date-time" }),
  cramMd5: z.boolean().openapi({ description: "Whether CRAM-MD5 can be used (a secret is set)." }),
}).openapi("User");

const AddressParams = z.object({
  address: pathParam(
    "address",
    normalizeUserAddress,
    "The user's address; its domain is stored lower-case.",
    "test@example.net",
  ),
});
const BAD_ADDRESS = errorReply("The address cannot be parsed.");

const list = tokenRoute({
  method: "get",
  path: "/",
  tags,
  summary: "List users",
  description: "A page at a time, in address order.",
  request: { query: PageQuery },
  responses: {
    200: jsonReply(
      "One page of users.",
      z.object({ users: z.array(User), cursor: NextCursor }).openapi("UserPage"),
    ),
    400: errorReply("`limit` or `cursor` is out of range."),
  },
});
const put = tokenRoute({
  method: "put",
  path: "/{address}",
  tags,
  summary: "Create a user or set its password",
  description: "`201` when created, `200` when the user existed.",
  middleware: jsonObjectBody(),
  request: {
    params: AddressParams,
    body: { required: true, content: { "application/json": { schema: SetPasswordBody } } },
  },
  responses: {
    200: jsonReply("The password was changed.", User),
    201: jsonReply("The user was created.", User),
    400: errorReply("The address, the body or the imported hash cannot be used."),
  },
});
const remove = tokenRoute({
  method: "delete",
  path: "/{address}",
  tags,
  summary: "Remove a user",
  request: { params: AddressParams },
  responses: { 204: NO_CONTENT, 400: BAD_ADDRESS, 404: errorReply("No such user.") },
});

/** What the user routes need besides the store. */
export type UserRouteDeps = Pick<AdminDeps, "setPassword" | "now"> & {
  log: (line: string) => void;
};

/** List users (paged), create or re-password them (`PUT`), and remove them. */
export function userRoutes(users: UserStore, deps: UserRouteDeps): OpenAPIHono {
  const routes = adminRouter();
  routes.route("/", userImportRoutes(users, deps));
  routes.openapi(list, async (c): Reply<typeof list> => {
    const page = await users.list(pageRequest(c.req.valid("query")));
    return c.json({ users: page.items.map(userView), ...cursorField(page.cursor) }, 200);
  });
  routes.openapi(put, async (c): Reply<typeof put> => {
    const { address } = c.req.valid("param");
    const body = c.req.valid("json");
    const existed = await users.get(address) !== undefined;
    if (body.passwordHash !== undefined) {
      const imported = importedUserRecord(address, body.passwordHash, deps.now());
      if (imported.kind === "invalid") return c.json({ error: imported.error }, 400);
      await users.put(imported.user);
      const action = existed ? "changed password hash of" : "created";
      deps.log(`admin: ${action} user ${address} (imported ${imported.scheme} hash)`);
      const view = userView(imported.user);
      return existed ? c.json(view, 200) : c.json(view, 201);
    }
    const secrets = await deps.setPassword(body.password!);
    const user: UserRecord = { address, passwordHash: secrets.passwordHash, updatedAt: deps.now() };
    if (secrets.cramMd5Secret !== undefined) user.cramMd5Secret = secrets.cramMd5Secret;
    await users.put(user);
    const cramMd5 = user.cramMd5Secret === undefined ? "without" : "with";
    deps.log(
      `admin: ${
        existed ? "changed password of" : "created"
      } user ${user.address} (${cramMd5} CRAM-MD5 secret)`,
    );
    return existed ? c.json(userView(user), 200) : c.json(userView(user), 201);
  });
  routes.openapi(remove, async (c): Reply<typeof remove> => {
    const { address } = c.req.valid("param");
    return await removeEntry(users, "user", address, deps.log)
      ? noContent(c)
      : c.json(noSuch("user", address), 404);
  });
  return routes;
}

/** The public face of a user: no secrets. */
function userView(user: UserRecord): z.infer<typeof User> {
  return {
    address: user.address,
    updatedAt: new Date(user.updatedAt).toISOString(),
    cramMd5: user.cramMd5Secret !== undefined,
  };
}
