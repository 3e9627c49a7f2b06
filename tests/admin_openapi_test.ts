/**
 * The admin API's OpenAPI document (`GET /api/openapi.json`) and its page
 * (`GET /api/docs`): valid OpenAPI 3.1 by an independent validator, complete
 * against the app's routes, served without the token; the page escapes
 * every value it shows.
 */

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { sha256 } from "@noble/hashes/sha2.js";
import { Hono } from "hono";
import { UI_ASSETS } from "../admin/ui/_assets.ts";
import { createAdminApp } from "../admin/mod.ts";
import { renderApiDocsPage } from "../admin/_api_docs_page.ts";
import { encodeBase64 } from "../auth/base64.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import { adminFixture, call, NOW, TOKEN } from "./_admin_fixture.ts";
import { fetchDocument, operationsOf } from "./_openapi_contract.ts";
import { test } from "./_portable.ts";

const PUBLIC = ["GET /api/docs", "GET /api/openapi.json", "GET /healthz"];

function appWithMetrics() {
  return createAdminApp({
    stores: createMemoryStores(() => NOW),
    token: TOKEN,
    setPassword: () => Promise.reject(new Error("unused")),
    now: () => NOW,
    metrics: () => Promise.resolve("tollgate_up 1\n"),
  });
}

test("the document is valid OpenAPI 3.1 by @seriousme/openapi-schema-validator", async () => {
  const document = await fetchDocument(adminFixture().app);
  const validator = new Validator();
  const result = await validator.validate(document);
  deepEqual(result.errors, undefined);
  equal(result.valid, true);
  equal(validator.version, "3.1");
});

test("the document names itself, its version and the bearer scheme", async () => {
  const document = await fetchDocument(adminFixture().app);
  equal(document.openapi, "3.1.0");
  const info = document.info as { title: string; version: string; description: string };
  equal(info.title, "Tollgate admin API");
  const { version } = JSON.parse(await Deno.readTextFile("deno.json"));
  equal(info.version, version);
  match(info.description, /Bearer/);
  deepEqual((document.components as { securitySchemes: unknown }).securitySchemes, {
    adminToken: {
      type: "http",
      scheme: "bearer",
      description: "The admin token (`TOLLGATE_ADMIN_TOKEN`): `Authorization: Bearer <token>`.",
    },
    metricsToken: {
      type: "http",
      scheme: "bearer",
      description:
        "The metrics token (`TOLLGATE_METRICS_TOKEN`), when set: opens `GET /metrics` only.",
    },
  });
});

test("every operation but the health check, the document and the page needs the admin token (/metrics: or the metrics token)", async () => {
  const document = await fetchDocument(adminFixture().app);
  const paths = document.paths as Record<string, Record<string, { security?: unknown }>>;
  const open: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const key = `${method.toUpperCase()} ${path}`;
      if (PUBLIC.includes(key)) {
        deepEqual(operation.security, [], key);
        open.push(key);
      } else if (key === "GET /metrics") {
        deepEqual(operation.security, [{ adminToken: [] }, { metricsToken: [] }], key);
      } else {
        deepEqual(operation.security, [{ adminToken: [] }], key);
      }
    }
  }
  deepEqual(open.sort(), PUBLIC);
});

test("the document and the page need no token; the rest of /api does", async () => {
  const { app } = adminFixture();
  for (const request of PUBLIC) {
    equal((await call(app, request, { authorization: null })).status, 200, request);
  }
  equal((await call(app, "GET /api/domains", { authorization: null })).status, 401);
});

test("every route of the app is documented, and every documented operation is a route", async () => {
  const app = appWithMetrics();
  ok(app instanceof Hono);
  // The web admin page's files (`GET /`, `/ui/*`) are a page, not API operations.
  const pageFiles = Object.keys(UI_ASSETS).map((path) => `GET ${path}`);
  const routes = new Set(
    app.routes
      .filter((route) => route.method !== "ALL")
      .filter((route) => !pageFiles.includes(`${route.method} ${route.path}`))
      .map((route) => `${route.method} ${route.path.replace(/:([^/]+)/g, "{$1}")}`),
  );
  const documented = new Set(
    operationsOf(await fetchDocument(app)).map(({ method, path }) =>
      `${method.toUpperCase()} ${path}`
    ),
  );
  deepEqual([...routes].filter((route) => !documented.has(route)), [], "undocumented routes");
  deepEqual([...documented].filter((route) => !routes.has(route)), [], "documented, no route");
  ok(documented.size > 30, `only ${documented.size} operations`);
});

test("GET /api/docs is HTML with a strict CSP that allows exactly its stylesheet", async () => {
  const { app } = adminFixture();
  const response = await call(app, "GET /api/docs", { authorization: null });
  equal(response.status, 200);
  equal(response.headers.get("content-type"), "text/html; charset=UTF-8");
  equal(response.headers.get("x-content-type-options"), "nosniff");
  const csp = response.headers.get("content-security-policy") ?? "";
  match(csp, /^default-src 'none'; /);
  equal(csp.includes("unsafe-inline"), false);
  const styles = [...response.text.matchAll(/<style>([^<]*)<\/style>/g)].map((found) => found[1]);
  equal(styles.length, 1);
  const hash = encodeBase64(sha256(new TextEncoder().encode(styles[0])));
  ok(csp.includes(`style-src 'sha256-${hash}'`), csp);
  equal(/<script|<link|<img|\ssrc=|https?:\/\//i.test(response.text), false);
});

test("GET /api/docs shows every operation, with a table of contents entry for each", async () => {
  const { app } = adminFixture();
  const page = (await call(app, "GET /api/docs", { authorization: null })).text;
  const operations = operationsOf(await fetchDocument(app));
  for (const { method, path } of operations) {
    const anchor = `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
    ok(page.includes(`<article id="${anchor}">`), `${method} ${path}: no section`);
    ok(page.includes(`<a href="#${anchor}">`), `${method} ${path}: not in the contents`);
  }
  for (const text of ["Local domains", "Queue", "Schemas", "RouteSettings", "Retry-After"]) {
    ok(page.includes(text), text);
  }
});

test("the page escapes every value of the document: no markup gets in", async () => {
  const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
  const page = await renderApiDocsPage({
    info: { title: evil, version: evil, description: `a \`${evil}\` b ${evil}` },
    tags: [{ name: evil, description: evil }],
    paths: {
      [`/api/${evil}`]: {
        get: {
          tags: [evil],
          summary: evil,
          description: evil,
          parameters: [{ name: evil, in: "query", description: evil, schema: { type: evil } }],
          responses: {
            [evil]: {
              description: evil,
              headers: { [evil]: { description: evil } },
              content: {
                [evil]: {
                  schema: {
                    type: "object",
                    description: evil,
                    properties: { [evil]: { enum: [evil], description: evil } },
                  },
                },
              },
            },
            "404": { $ref: `#/components/responses/${evil}` },
          },
        },
      },
    },
    components: { schemas: { [evil]: { type: "string", pattern: evil, example: evil } } },
  });
  equal(/<script|<img/i.test(page), false, page);
  ok(page.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
  ok(page.includes("<code>&lt;script&gt;"), "a code span is escaped inside <code>");
});

for (
  const [contentType, error] of [
    ["application/json;", 'Invalid content type "application/json;": malformed parameters'],
    [
      "application/json; charset",
      'Invalid content type "application/json; charset": malformed parameters',
    ],
    [
      "application/vnd.api+json",
      'Invalid content type "application/vnd.api+json": expected "application/json"',
    ],
    [undefined, 'Invalid content type "": expected "application/json"'],
  ] as const
) {
  test(`a JSON body sent as ${contentType ?? "no content type"} is a 400 JSON error, never a 415`, async () => {
    const { app, stores } = adminFixture();
    for (const request of ["POST /api/relay-networks", "PUT /api/dkim/example.net"]) {
      const response = await call(app, request, { body: '{"cidr": "192.0.2.0/24"}', contentType });
      equal(response.status, 400, request);
      deepEqual(response.body, { error }, request);
    }
    deepEqual(await stores.networks.list(), []);
    deepEqual(await stores.dkim.list(), []);
  });
}

test("PUT /api/dkim/{domain} without a body (and without a content type) makes keys", async () => {
  const { app } = adminFixture();
  equal((await call(app, "PUT /api/dkim/example.net")).status, 201);
});
