/**
 * Holds an admin app to its own OpenAPI document: every reply must have a
 * documented status, a documented media type, the documented headers, and a
 * body that the documented JSON Schema (ajv, draft 2020-12) accepts.
 *
 * @module
 */

import { equal, ok } from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { AdminApp } from "../admin/mod.ts";
import { call, type CallResult } from "./_admin_fixture.ts";

type Json = Record<string, unknown>;

/** A response of the document: description, headers, content by media type. */
interface DocumentedResponse {
  $ref?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: Json }>;
}

/** One operation of the document. */
export interface DocumentedOperation {
  method: string;
  path: string;
  responses: Record<string, DocumentedResponse>;
}

/** Fetches `/api/openapi.json` (no token). */
export async function fetchDocument(app: AdminApp): Promise<Json> {
  const response = await app.request("/api/openapi.json");
  equal(response.status, 200);
  return await response.json();
}

/** Every operation of `document`. */
export function operationsOf(document: Json): DocumentedOperation[] {
  const paths = document.paths as Record<string, Record<string, DocumentedOperation>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method,
      path,
      responses: operation.responses,
    }))
  );
}

/** A path template as a regular expression: `{name}` is one segment. */
function templatePattern(path: string): RegExp {
  const segments = path.split("/").map((segment) =>
    /^\{.+\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^$(){}|[\]\\]/g, "\\$&")
  );
  return new RegExp(`^${segments.join("/")}$`);
}

/** The operation a request reaches; a literal path wins over a template. */
function operationFor(
  operations: DocumentedOperation[],
  method: string,
  path: string,
): DocumentedOperation | undefined {
  const candidates = operations.filter((operation) =>
    operation.method === method.toLowerCase() && templatePattern(operation.path).test(path)
  );
  const params = (operation: DocumentedOperation) => operation.path.split("{").length;
  return candidates.sort((a, b) => params(a) - params(b))[0];
}

/** The checker: `call` is `_admin_fixture.ts`'s, then the reply is held to the document. */
export interface ContractChecker {
  /** Calls the app and checks the reply; fails the test on any difference. */
  call(request: string, options?: Parameters<typeof call>[2]): Promise<CallResult>;
  /** `METHOD path-template` -> the statuses seen. */
  seen: Map<string, Set<number>>;
}

/** A checker for `app` against the document it serves; `seen` may be shared between apps. */
export async function contractChecker(
  app: AdminApp,
  seen: Map<string, Set<number>> = new Map(),
): Promise<ContractChecker> {
  const document = await fetchDocument(app);
  const operations = operationsOf(document);
  const components = document.components as {
    schemas: Record<string, Json>;
    responses: Record<string, DocumentedResponse>;
  };
  const ajv = new Ajv2020({ allErrors: true });
  addFormats.default(ajv);
  ajv.addKeyword("example");
  ajv.addFormat("password", true);
  const relinked = (schema: unknown) =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"openapi#/$defs/'));
  ajv.addSchema({ $id: "openapi", $defs: relinked(components.schemas) });

  return {
    seen,
    async call(request, options) {
      const result = await call(app, request, options);
      const [method, target] = request.split(" ");
      const path = new URL(target, "http://admin").pathname;
      const operation = operationFor(operations, method, path);
      ok(operation, `${request}: no documented operation`);
      const key = `${operation.method.toUpperCase()} ${operation.path}`;
      seen.set(key, new Set([...seen.get(key) ?? [], result.status]));
      const given = operation.responses[String(result.status)];
      ok(given, `${request}: status ${result.status} is not documented for ${key}`);
      const response = given.$ref
        ? components.responses[given.$ref.slice(given.$ref.lastIndexOf("/") + 1)]
        : given;
      for (const header of Object.keys(response.headers ?? {})) {
        ok(result.headers.has(header), `${request}: ${result.status} lacks header ${header}`);
      }
      if (response.content === undefined) {
        equal(result.text, "", `${request}: ${result.status} should have no body`);
        return result;
      }
      const mediaType = (result.headers.get("content-type") ?? "").split(";")[0].trim();
      const content = response.content[mediaType];
      ok(content, `${request}: ${result.status} answered ${mediaType}, not documented`);
      const body = mediaType === "application/json" ? JSON.parse(result.text) : result.text;
      const validate = ajv.compile(relinked(content.schema));
      ok(
        validate(body),
        `${request}: ${result.status} body does not match its schema: ` +
          `${JSON.stringify(validate.errors)}\n${result.text.slice(0, 500)}`,
      );
      return result;
    },
  };
}
