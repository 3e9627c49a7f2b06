/**
 * What every admin route shares in its OpenAPI description: the error body,
 * the responses the app gives before a handler runs (token, size, throttle,
 * store failure), path parameters that normalise, and the typed reply.
 *
 * @module
 */

import {
  createRoute,
  OpenAPIHono,
  type RouteConfig,
  type RouteConfigToTypedResponse,
  z,
} from "@hono/zod-openapi";
import type { Context, TypedResponse } from "hono";
import { OWN_MESSAGE, validationHook } from "./_json_body.ts";

/** The name of the bearer scheme in `components.securitySchemes`. */
export const BEARER_SCHEME = "adminToken";

/** The name of the scheme of the token that opens `GET /metrics` only. */
export const METRICS_BEARER_SCHEME = "metricsToken";

/** Every error the API gives: `{ "error": "..." }`. */
export const ErrorBody = z.object({
  error: z.string().openapi({ description: "What went wrong, in one sentence." }),
}).openapi("Error", { description: "An error: the message names the field or entry." });

/** A JSON response with `schema`. */
export function jsonReply<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { "application/json": { schema } } };
}

/** A JSON error response. */
export function errorReply(description: string) {
  return jsonReply(description, ErrorBody);
}

/** A `204` response. */
export const NO_CONTENT = { description: "Done; no body." } as const;

/** The app-wide responses, defined once under `components.responses`. */
export const APP_RESPONSES = {
  Unauthorized: {
    status: 401,
    description: "The bearer token is missing, malformed or wrong (`WWW-Authenticate` says which).",
  },
  PayloadTooLarge: { status: 413, description: "The request body is over 64 KiB." },
  TooManyRequests: {
    status: 429,
    description:
      "Too many failed token checks from this client; `Retry-After` says when to try again.",
  },
  StoreFailed: {
    status: 503,
    description: "A store (or the password hasher) failed; the failure is logged.",
  },
} as const;

const responseRef = (name: keyof typeof APP_RESPONSES) => ({
  $ref: `#/components/responses/${name}`,
});

/** The responses of every route behind the token. */
export const TOKEN_RESPONSES = {
  401: responseRef("Unauthorized"),
  429: responseRef("TooManyRequests"),
  503: responseRef("StoreFailed"),
} as const;

/** The `security` of a route behind the token. */
export const TOKEN_SECURITY = [{ [BEARER_SCHEME]: [] }];

/** A route under `/api`, behind the token: its own responses plus the app-wide ones. */
export function tokenRoute<const R extends RouteConfig>(config: R) {
  return createRoute({
    ...config,
    security: TOKEN_SECURITY,
    responses: { ...config.responses, ...TOKEN_RESPONSES, 413: responseRef("PayloadTooLarge") },
  });
}

/** What a handler of `route` may answer: exactly the documented statuses and bodies. */
export type TypedReply<R extends RouteConfig> = RouteConfigToTypedResponse<R>;

/** {@linkcode TypedReply}, from an async handler. */
export type Reply<R extends RouteConfig> = Promise<TypedReply<R>>;

/** The body-less `204` as a route's reply type knows it (a response without content). */
type NoContentReply = Response & TypedResponse<Record<never, never>, 204, string>;

/** The empty `204` of a route that documents it. */
export function noContent(c: Context): NoContentReply {
  return c.newResponse(null, 204) as NoContentReply;
}

/** A router whose validation failures answer `400 { "error": ... }`. */
export function adminRouter(): OpenAPIHono {
  return new OpenAPIHono({ defaultHook: validationHook });
}

/**
 * A path parameter (or any text) that `normalize` checks and canonicalises;
 * its `RangeError` message becomes the `400` error.
 */
export function normalizedText(normalize: (text: string) => string) {
  return z.string().transform((text, context) => {
    try {
      return normalize(text);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      context.issues.push({
        code: "custom",
        message: error.message,
        input: text,
        params: OWN_MESSAGE,
      });
      return z.NEVER;
    }
  });
}

/** One path parameter `name`, normalised. */
export function pathParam(
  name: string,
  normalize: (text: string) => string,
  description: string,
  example: string,
) {
  return normalizedText(normalize).openapi({
    param: { name, in: "path", description },
    example,
  });
}
