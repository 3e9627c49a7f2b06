/**
 * `POST /api/routes/import` and `GET /api/routes/export`: routes as qmail's
 * `smtproutes` text.
 *
 * @module
 */

import { Hono } from "hono";
import { formatSmtproutes, parseSmtproutes } from "../delivery/smtproutes.ts";
import type { RouteStore } from "../store/types.ts";
import { routeView } from "./_route_view.ts";
import { routesAsJson } from "./_route_json_export.ts";

/** The most routes one import may hold (one atomic store commit). */
export const MAX_IMPORTED_ROUTES = 1000;

function isPlainText(request: Request): boolean {
  const contentType = request.headers.get("content-type") ?? "";
  return contentType.split(";")[0].trim().toLowerCase() === "text/plain";
}

/**
 * Import merges an `smtproutes` file into the routes (`?credentials=base64`,
 * the default, or `plain`; Hoffmann's `|` lines either way) only when every
 * line can be read; otherwise it answers `400` with each line's number and
 * problem and changes nothing. Export writes every route back
 * (`?form=seed|hoffmann`, passwords only with `?passwords=true`), or as JSON
 * (`?form=json`, every route including OAuth 2.0 ones, never a secret).
 */
export function routeTextRoutes(routes: RouteStore, log: (line: string) => void): Hono {
  const app = new Hono();
  app.post("/import", async (c) => {
    const credentials = c.req.query("credentials") ?? "base64";
    if (credentials !== "base64" && credentials !== "plain") {
      return c.json(
        { error: `Invalid credentials "${credentials}": expected base64 or plain` },
        400,
      );
    }
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
      status: existing.has(route.pattern) ? "replaced" : "created",
    }));
    const replaced = imported.filter((route) => route.status === "replaced").length;
    log(
      `admin: imported ${imported.length} routes from smtproutes ` +
        `(${imported.length - replaced} created, ${replaced} replaced)`,
    );
    return c.json({ imported });
  });
  app.get("/export", async (c) => {
    const passwords = c.req.query("passwords") ?? "false";
    const form = c.req.query("form") ?? "seed";
    if (passwords !== "true" && passwords !== "false") {
      return c.json({ error: `Invalid passwords "${passwords}": expected true or false` }, 400);
    }
    if (form === "json") return c.json(routesAsJson(await routes.list()));
    if (form !== "seed" && form !== "hoffmann") {
      return c.json({ error: `Invalid form "${form}": expected seed, hoffmann or json` }, 400);
    }
    const withPasswords = passwords === "true";
    const text = formatSmtproutes(await routes.list(), { withPasswords, form });
    if (withPasswords) log("admin: exported routes with passwords");
    c.header("cache-control", "no-store");
    return c.text(text);
  });
  return app;
}
