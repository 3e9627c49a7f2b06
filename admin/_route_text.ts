/**
 * `POST /api/routes/import` and `GET /api/routes/export`: routes as qmail's
 * `smtproutes` text.
 *
 * @module
 */

import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { formatSmtproutes, parseSmtproutes } from "../delivery/smtproutes.ts";
import type { RouteStore } from "../store/types.ts";
import {
  adminRouter,
  ErrorBody,
  errorReply,
  jsonReply,
  type Reply,
  tokenRoute,
} from "./_api_schema.ts";
import { routeView, RouteViewSchema } from "./_route_view.ts";
import { routesAsJson } from "./_route_json_export.ts";

/** The most routes one import may hold (one atomic store commit). */
export const MAX_IMPORTED_ROUTES = 1000;

function isPlainText(request: Request): boolean {
  const contentType = request.headers.get("content-type") ?? "";
  return contentType.split(";")[0].trim().toLowerCase() === "text/plain";
}

const tags = ["Routes"];

const ImportQuery = z.object({
  credentials: z.enum(["base64", "plain"], {
    error: (issue) => `Invalid credentials "${issue.input}": expected base64 or plain`,
  }).default("base64").openapi({
    param: { description: "How `user:password` is written in the file." },
  }),
});
const ExportQuery = z.object({
  passwords: z.enum(["true", "false"], {
    error: (issue) => `Invalid passwords "${issue.input}": expected true or false`,
  }).default("false").openapi({
    param: { description: "Include route passwords (`seed` and `hoffmann` forms only)." },
  }),
  form: z.enum(["seed", "hoffmann", "json"], {
    error: (issue) => `Invalid form "${issue.input}": expected seed, hoffmann or json`,
  }).default("seed").openapi({
    param: {
      description: "`seed` or `hoffmann` smtproutes text, or `json`: every route, OAuth 2.0 " +
        "ones included, never a secret.",
    },
  }),
});

const importRoutes = tokenRoute({
  method: "post",
  path: "/import",
  tags,
  summary: "Import an smtproutes file",
  description: "Merges the file's routes into the routes in one step, only when every line " +
    "can be read (at most " + MAX_IMPORTED_ROUTES + " routes); otherwise answers `400` with " +
    "each line's number and problem and changes nothing. Hoffmann's `|` lines are read too.",
  request: {
    query: ImportQuery,
    body: { required: true, content: { "text/plain": { schema: z.string() } } },
  },
  responses: {
    200: jsonReply(
      "The imported routes.",
      z.object({
        imported: z.array(
          RouteViewSchema.extend({ status: z.enum(["created", "replaced"]) })
            .openapi("ImportedRoute"),
        ),
      }).openapi("RouteImport"),
    ),
    400: jsonReply(
      "Not `text/plain`, an unknown `credentials`, or lines that cannot be read: nothing was " +
        "imported.",
      ErrorBody.extend({
        errors: z.array(z.object({ line: z.number().int(), message: z.string() })).optional(),
      }).openapi("RouteImportError"),
    ),
  },
});

const exportRoutes = tokenRoute({
  method: "get",
  path: "/export",
  tags,
  summary: "Export the routes",
  description: "As smtproutes text, or as JSON with `?form=json`.",
  request: { query: ExportQuery },
  responses: {
    200: {
      description: "The routes (`Cache-Control: no-store`).",
      content: {
        "text/plain": {
          schema: z.string().openapi({ example: "example.com:mail.provider.de:587" }),
        },
        "application/json": {
          schema: z.object({
            secrets: z.string().openapi({ description: "Which secrets were left out." }),
            routes: z.array(RouteViewSchema),
          }).openapi("RouteExport"),
        },
      },
    },
    400: errorReply("An unknown `passwords` or `form`."),
  },
});

/**
 * Import merges an `smtproutes` file into the routes (`?credentials=base64`,
 * the default, or `plain`; Hoffmann's `|` lines either way) only when every
 * line can be read; otherwise it answers `400` with each line's number and
 * problem and changes nothing. Export writes every route back
 * (`?form=seed|hoffmann`, passwords only with `?passwords=true`), or as JSON
 * (`?form=json`, every route including OAuth 2.0 ones, never a secret).
 */
export function routeTextRoutes(routes: RouteStore, log: (line: string) => void): OpenAPIHono {
  const app = adminRouter();
  app.openapi(importRoutes, async (c): Reply<typeof importRoutes> => {
    const { credentials } = c.req.valid("query");
    if (!isPlainText(c.req.raw)) {
      return c.json(
        { error: 'Invalid content type: expected "text/plain" (an smtproutes file)' },
        400,
      );
    }
    const parsed = parseSmtproutes(await c.req.text(), { credentials });
    if (parsed.errors.length > 0) {
      const count = parsed.errors.length;
      return c.json({
        error: `Cannot import smtproutes: ${count} line${count === 1 ? "" : "s"} cannot be read; ` +
          "nothing was imported",
        errors: parsed.errors,
      }, 400);
    }
    if (parsed.routes.length === 0) {
      return c.json({ error: "Cannot import smtproutes: the file holds no routes" }, 400);
    }
    if (parsed.routes.length > MAX_IMPORTED_ROUTES) {
      return c.json({
        error: `Cannot import smtproutes: ${parsed.routes.length} routes, ` +
          `at most ${MAX_IMPORTED_ROUTES} at a time; nothing was imported`,
      }, 400);
    }
    const existing = new Set((await routes.list()).map((route) => route.pattern));
    await routes.putAll(parsed.routes);
    const imported = parsed.routes.map((route) => ({
      ...routeView(route),
      status: existing.has(route.pattern) ? "replaced" as const : "created" as const,
    }));
    const replaced = imported.filter((route) => route.status === "replaced").length;
    log(
      `admin: imported ${imported.length} routes from smtproutes ` +
        `(${imported.length - replaced} created, ${replaced} replaced)`,
    );
    return c.json({ imported }, 200);
  });
  app.openapi(exportRoutes, async (c): Reply<typeof exportRoutes> => {
    const { passwords, form } = c.req.valid("query");
    if (form === "json") return c.json(routesAsJson(await routes.list()), 200);
    const withPasswords = passwords === "true";
    const text = formatSmtproutes(await routes.list(), { withPasswords, form });
    if (withPasswords) log("admin: exported routes with passwords");
    c.header("cache-control", "no-store");
    return c.text(text, 200);
  });
  return app;
}
