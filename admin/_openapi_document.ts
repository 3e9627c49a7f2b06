/**
 * The admin API's OpenAPI 3.1 document, generated from the routes' own
 * schemas (the registry of the `OpenAPIHono` app), with the components every
 * route shares: the bearer scheme and the app-wide error responses.
 *
 * @module
 */

import type { OpenAPIHono } from "@hono/zod-openapi";
import { APP_RESPONSES, BEARER_SCHEME, ErrorBody, METRICS_BEARER_SCHEME } from "./_api_schema.ts";

/** The OpenAPI 3.1 document as `getOpenAPI31Document` returns it. */
export type OpenApiDocument = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

/** The version of the API contract (`info.version`): the package's version. */
export const ADMIN_API_VERSION = "0.1.0";

/** The response headers some app-wide responses carry. */
const RESPONSE_HEADERS: Partial<
  Record<
    keyof typeof APP_RESPONSES,
    Record<
      string,
      { description: string; schema: { type: "string" | "integer"; minimum?: number } }
    >
  >
> = {
  Unauthorized: {
    "WWW-Authenticate": {
      description: 'The challenge: `Bearer realm="tollgate-admin"`, with `error="invalid_token"` ' +
        "for a wrong or malformed token.",
      schema: { type: "string" },
    },
  },
  TooManyRequests: {
    "Retry-After": {
      description: "Seconds until the client may try a token again.",
      schema: { type: "integer", minimum: 1 },
    },
  },
};

/**
 * Registers the shared components on the app: the `Error` schema, the
 * bearer schemes (admin and metrics token) and the app-wide responses (`401`, `413`, `429`, `503`).
 */
export function registerSharedComponents(app: OpenAPIHono): void {
  const registry = app.openAPIRegistry;
  registry.register("Error", ErrorBody);
  registry.registerComponent("securitySchemes", BEARER_SCHEME, {
    type: "http",
    scheme: "bearer",
    description: "The admin token (`TOLLGATE_ADMIN_TOKEN`): `Authorization: Bearer <token>`.",
  });
  registry.registerComponent("securitySchemes", METRICS_BEARER_SCHEME, {
    type: "http",
    scheme: "bearer",
    description:
      "The metrics token (`TOLLGATE_METRICS_TOKEN`), when set: opens `GET /metrics` only.",
  });
  for (const [name, { description }] of Object.entries(APP_RESPONSES)) {
    registry.registerComponent("responses", name, {
      description,
      headers: RESPONSE_HEADERS[name as keyof typeof APP_RESPONSES],
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    });
  }
}

/** The document of `app`'s routes. */
export function openApiDocument(app: OpenAPIHono): OpenApiDocument {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Tollgate admin API",
      version: ADMIN_API_VERSION,
      description:
        "Manage a Tollgate SMTP server: local domains, users, relay networks, outbound " +
        "routes, DKIM keys and the queue. Every change takes effect with the next SMTP " +
        "command that reads it. Everything but `/healthz`, this document and `/api/docs` " +
        "needs `Authorization: Bearer <admin token>`. Errors are JSON " +
        '`{ "error": "..." }`; no response ever carries a password, hash or secret.',
      license: { name: "MIT" },
    },
    tags: [
      { name: "Service", description: "Health, metrics and this description." },
      { name: "Local domains", description: "The domains mail is accepted for (`rcpthosts`)." },
      { name: "Users", description: "Mailbox users and their passwords." },
      { name: "Senders", description: "Envelope senders a user may use besides its address." },
      { name: "Relay networks", description: "Client networks that may relay without AUTH." },
      { name: "Routes", description: "Outbound routes (`smtproutes`)." },
      { name: "DKIM", description: "DKIM signing keys per domain." },
      { name: "Queue", description: "The messages waiting for delivery." },
    ],
  });
}
