/**
 * The routes around the API: `GET /healthz`, `GET /metrics`, and the API's
 * own description (`GET /api/openapi.json`, `GET /api/docs`).
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import {
  errorReply,
  jsonReply,
  METRICS_BEARER_SCHEME,
  TOKEN_RESPONSES,
  TOKEN_SECURITY,
} from "./_api_schema.ts";

const tags = ["Service"];

/** `GET /healthz`: no token. */
export const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags,
  summary: "Health check",
  description: "Answers while the process serves requests; needs no token.",
  security: [],
  responses: {
    200: jsonReply("Serving.", z.object({ status: z.literal("ok") }).openapi("Health")),
  },
});

/** `GET /metrics`: Prometheus text, behind the admin token or the metrics token. */
export const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags,
  summary: "Prometheus metrics",
  description: "The Prometheus text exposition format (`version=0.0.4`). Takes the admin " +
    "token, or the metrics token when one is set.",
  security: [...TOKEN_SECURITY, { [METRICS_BEARER_SCHEME]: [] }],
  responses: {
    200: {
      description: "The metrics.",
      content: { "text/plain": { schema: z.string().openapi("PrometheusText") } },
    },
    404: errorReply("This server was built without metrics."),
    ...TOKEN_RESPONSES,
  },
});

/** `GET /api/openapi.json`: this document, no token. */
export const documentRoute = createRoute({
  method: "get",
  path: "/api/openapi.json",
  tags,
  summary: "This OpenAPI document",
  description: "The same public contract on every install; needs no token.",
  security: [],
  responses: {
    200: jsonReply(
      "The OpenAPI 3.1 document.",
      z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string() }) })
        .openapi("OpenApiDocument"),
    ),
  },
});

/** `GET /api/docs`: the document as a page, no token. */
export const docsPageRoute = createRoute({
  method: "get",
  path: "/api/docs",
  tags,
  summary: "This API as a web page",
  description: "Rendered on the server from the OpenAPI document; needs no token.",
  security: [],
  responses: {
    200: {
      description: "The page (no scripts; a strict Content-Security-Policy).",
      content: { "text/html": { schema: z.string().openapi("HtmlPage") } },
    },
  },
});
