/**
 * Reads a JSON request body and checks it against a strict zod schema,
 * producing error messages that name the offending field.
 *
 * @module
 */

import type { z } from "zod";

/** The parsed body, or a message for a `400` response. */
export type JsonBody<T> =
  | { kind: "valid"; value: T }
  | { kind: "invalid"; error: string };

/**
 * Reads `request` as JSON and validates it with `schema`.
 *
 * Refuses a content type other than `application/json`, text that is not
 * JSON, a body that is not an object, and whatever the schema refuses
 * (unknown, missing and mistyped fields). Messages never quote field values,
 * so a refused password is not echoed back.
 */
export async function readJsonBody<T>(
  request: Request,
  schema: z.ZodType<T>,
): Promise<JsonBody<T>> {
  const contentType = request.headers.get("content-type") ?? "";
  const mediaType = contentType.split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") {
    return {
      kind: "invalid",
      error: `Invalid content type "${mediaType}": expected "application/json"`,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return { kind: "invalid", error: "Cannot parse request body: not valid JSON" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { kind: "invalid", error: "Invalid request body: expected a JSON object" };
  }
  const result = schema.safeParse(body);
  if (result.success) return { kind: "valid", value: result.data };
  return { kind: "invalid", error: describeIssue(result.error.issues[0], body) };
}

function describeIssue(issue: z.core.$ZodIssue, body: object): string {
  if (issue.code === "unrecognized_keys") {
    const fields = issue.keys.map((key) => JSON.stringify(key)).join(", ");
    return `Invalid request body: unknown field ${fields}`;
  }
  const field = JSON.stringify(issue.path.map(String).join("."));
  if (issue.path.length === 1 && !Object.hasOwn(body, issue.path[0])) {
    return `Invalid request body: missing field ${field}`;
  }
  return `Invalid request body: field ${field}: ${issue.message}`;
}
