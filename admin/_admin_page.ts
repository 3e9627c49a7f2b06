/**
 * The web admin page (`GET /` and `/ui/*`): the files of `admin/ui/`, served
 * from the module `tools/embed_ui.ts` generates, so the core reads no files.
 * The page itself needs no token; every request it makes to `/api` does.
 *
 * @module
 */

import { Hono } from "hono";
import { UI_ASSETS } from "./ui/_assets.ts";

/**
 * What every page and asset response carries: a strict Content-Security-Policy
 * (only this origin's scripts, styles, images and fetches; no inline script or
 * style, no form posts, no framing), no MIME sniffing, no Referer.
 */
export const ADMIN_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; " +
    "img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; " +
    "base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/**
 * The page and its assets. Each answer carries the asset's content hash as
 * `ETag` with `Cache-Control: no-cache`: a browser revalidates and gets `304`
 * until the server runs a new version.
 */
export function adminPage(): Hono {
  const app = new Hono();
  for (const [path, asset] of Object.entries(UI_ASSETS)) {
    app.get(path, (c) => {
      const headers = { ...ADMIN_PAGE_HEADERS, etag: asset.etag, "cache-control": "no-cache" };
      const known = (c.req.header("if-none-match") ?? "").split(/\s*,\s*/);
      if (known.includes(asset.etag)) return c.body(null, 304, headers);
      return c.body(asset.body, 200, { ...headers, "content-type": asset.contentType });
    });
  }
  return app;
}
