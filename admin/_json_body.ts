/**
 * Request validation answers: a JSON body is checked for its content type,
 * its syntax and being an object before its route's zod schema sees it, and
 * every schema failure becomes `400 { "error": ... }` naming the field.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";

/** `application/json` with well-formed parameters (what the body validator accepts). */
const JSON_CONTENT_TYPE = /^application\/json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/** Why a body is not a JSON object, or undefined when it is one. */
async function jsonObjectProblem(c: Context): Promise<string | undefined> {
  const contentType = c.req.header("content-type") ?? "";
  const mediaType = contentType.split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") {
    return `Invalid content type "${mediaType}": expected "application/json"`;
  }
  if (!JSON_CONTENT_TYPE.test(contentType.trim())) {
    return `Invalid content type "${contentType}": malformed parameters`;
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    return "Cannot parse request body: not valid JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return "Invalid request body: expected a JSON object";
  }
  return undefined;
}

/**
 * Route middleware in front of a JSON body schema: refuses a content type
 * other than `application/json`, text that is not JSON and a body that is
 * not an object with `400`. With `optional`, a request without a body (and
 * without a content type) passes.
 */
export function jsonObjectBody(options: { optional?: boolean } = {}): MiddlewareHandler {
  return async (c, next) => {
    const untyped = c.req.header("content-type") === undefined;
    if (options.optional && untyped && await c.req.text() === "") return await next();
    const problem = await jsonObjectProblem(c);
    if (problem !== undefined) return c.json({ error: problem }, 400);
    await next();
  };
}

/** What the validators report (the `Hook` argument of `@hono/zod-openapi`). */
export type ValidationResult =
  | { target: string; success: true; data: unknown }
  | { target: string; success: false; error: z.ZodError };

/**
 * The routers' `defaultHook`: a failed check answers `400` with its first
 * issue. Body issues name the field (missing, unknown, or what is wrong with
 * it) and never quote its value, so a refused password is not echoed; path
 * and query issues carry their own message.
 */
export async function validationHook(
  result: ValidationResult,
  c: Context,
): Promise<Response | undefined> {
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  const error = result.target === "json"
    ? describeBodyIssue(issue, await c.req.json())
    : issue.message;
  return c.json({ error }, 400);
}

/**
 * The `params` of an issue whose message is the whole error (a normaliser's
 * `RangeError`, which names what it could not parse).
 */
export const OWN_MESSAGE = { ownMessage: true } as const;

function describeBodyIssue(issue: z.core.$ZodIssue, body: object): string {
  if (issue.code === "custom" && issue.params?.ownMessage === true) return issue.message;
  if (issue.code === "unrecognized_keys") {
    const fields = issue.keys.map((key) => JSON.stringify(key)).join(", ");
    return `Invalid request body: unknown field ${fields}`;
  }
  if (issue.path.length === 0) return `Invalid request body: ${issue.message}`;
  const field = JSON.stringify(issue.path.map(String).join("."));
  if (issue.path.length === 1 && !Object.hasOwn(body, issue.path[0])) {
    return `Invalid request body: missing field ${field}`;
  }
  return `Invalid request body: field ${field}: ${issue.message}`;
}
