/**
 * The web admin page as the admin app serves it: without a token, with the
 * security headers and ETags, every referenced asset present; and the
 * embedded copy (`admin/ui/_assets.ts`) in step with the files in `admin/ui/`.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { ASSETS_MODULE, renderAssetsModule } from "../tools/embed_ui.ts";
import { UI_ASSETS } from "../admin/ui/_assets.ts";
import { adminFixture, call } from "./_admin_fixture.ts";

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
  "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

Deno.test("admin/ui/_assets.ts is what `deno task embed-ui` makes of admin/ui/ now", async () => {
  const committed = await Deno.readTextFile(ASSETS_MODULE);
  ok(
    committed === await renderAssetsModule(),
    "admin/ui/_assets.ts is stale: run `deno task embed-ui`",
  );
});

Deno.test("GET / serves the page without a token, with CSP and the other security headers", async () => {
  const { app } = adminFixture();
  const page = await call(app, "GET /", { authorization: null });
  equal(page.status, 200);
  equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  deepEqual(
    ["content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options"]
      .map((name) => page.headers.get(name)),
    [CSP, "nosniff", "no-referrer", "DENY"],
  );
  ok(page.text.includes('<script type="module" src="/ui/app.js"></script>'));
  const api = await call(app, "GET /api/domains", { authorization: null });
  equal(api.status, 401);
});

Deno.test("every file the page and its modules refer to is served, with its ETag", async () => {
  const { app } = adminFixture();
  const referenced = new Set<string>(["/"]);
  for (const [path, asset] of Object.entries(UI_ASSETS)) {
    for (const match of asset.body.matchAll(/(?:href|src)="(\/ui\/[^"]+)"/g)) {
      referenced.add(match[1]);
    }
    for (const match of asset.body.matchAll(/from "\.\/([^"]+)"/g)) {
      referenced.add(new URL(match[1], `http://x${path}`).pathname);
    }
  }
  ok(referenced.size > 10, [...referenced].join(" "));
  for (const path of referenced) {
    const asset = await call(app, `GET ${path}`, { authorization: null });
    equal(asset.status, 200, path);
    equal(asset.headers.get("content-security-policy"), CSP, path);
    equal(asset.headers.get("etag"), UI_ASSETS[path].etag, path);
    equal(asset.headers.get("cache-control"), "no-cache", path);
  }
  const script = await call(app, "GET /ui/app.js", { authorization: null });
  equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
});

Deno.test("a revalidation with the current ETag is answered 304 without a body", async () => {
  const { app } = adminFixture();
  const etag = UI_ASSETS["/ui/app.js"].etag;
  const response = await app.request("/ui/app.js", {
    headers: { "if-none-match": `"stale", ${etag}` },
  });
  equal(response.status, 304);
  equal(await response.text(), "");
  equal(response.headers.get("etag"), etag);
  const stale = await app.request("/ui/app.js", { headers: { "if-none-match": '"stale"' } });
  equal(stale.status, 200);
  await stale.body?.cancel();
});

Deno.test("the page's scripts build the page from text, never from HTML", () => {
  for (const [path, asset] of Object.entries(UI_ASSETS)) {
    if (!path.endsWith(".js")) continue;
    deepEqual(
      asset.body.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/g),
      null,
      path,
    );
  }
});
