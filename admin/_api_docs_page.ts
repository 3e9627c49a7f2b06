/**
 * `GET /api/docs`: the OpenAPI document as one readable page, rendered on
 * the server: a table of contents, then per tag each operation with its
 * parameters, request body and responses, then the named schemas. No
 * script, no external resource; every value is escaped by `hono/html`.
 *
 * @module
 */

import { sha256 } from "@noble/hashes/sha2.js";
import { html, raw } from "hono/html";
import { encodeBase64 } from "../auth/base64.ts";
import {
  type Html,
  prose,
  refName,
  type Schema,
  schemaAnchor,
  schemaHtml,
} from "./_api_docs_schema.ts";
import { API_DOCS_STYLE } from "./_api_docs_style.ts";

/** A parameter, or a `$ref` to one. */
interface Parameter {
  name?: string;
  in?: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}

/** A response (or a `$ref` to a shared one). */
interface ResponseDescription {
  $ref?: string;
  description?: string;
  headers?: Record<string, { description?: string; schema?: Schema }>;
  content?: Record<string, { schema?: Schema }>;
}

/** One operation. */
interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: {
    $ref?: string;
    required?: boolean;
    content?: Record<string, { schema?: Schema }>;
  };
  responses?: Record<string, ResponseDescription>;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

/** The parts of an OpenAPI 3.1 document the page shows. */
export interface ApiDescription {
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths?: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components?: {
    schemas?: Record<string, Schema>;
    responses?: Record<string, ResponseDescription>;
  };
}

/** The page's `Content-Security-Policy`: nothing but its own stylesheet (by hash). */
export const API_DOCS_CSP = "default-src 'none'; " +
  `style-src 'sha256-${encodeBase64(sha256(new TextEncoder().encode(API_DOCS_STYLE)))}'; ` +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Entry {
  method: string;
  path: string;
  operation: Operation;
}

function operationAnchor({ method, path }: Entry): string {
  return `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
}

function tagAnchor(tag: string): string {
  return `tag-${tag.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

/** The operations of the document grouped by their first tag, in the order of `tags`. */
function groupByTag(description: ApiDescription): [string, Entry[]][] {
  const groups = new Map<string, Entry[]>();
  for (const tag of description.tags ?? []) groups.set(tag.name, []);
  for (const [path, item] of Object.entries(description.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const tag = operation.tags?.[0] ?? "Other";
      groups.set(tag, [...groups.get(tag) ?? [], { method, path, operation }]);
    }
  }
  return [...groups].filter(([, entries]) => entries.length > 0);
}

function methodBadge(method: string): Html {
  return html`<span class="method ${method}">${method.toUpperCase()}</span>`;
}

function parametersHtml(parameters: Parameter[]): Html {
  if (parameters.length === 0) return html``;
  const rows = parameters.map((parameter) =>
    html`
      <tr>
        <td><code>${parameter.name}</code></td>
        <td>${parameter.in}${parameter.required ? "" : html`
          <span class="note">optional</span>
        `}</td>
        <td>${parameter.schema ? schemaHtml(parameter.schema) : ""}${prose(
          parameter.description,
        )}</td>
      </tr>
    `
  );
  return html`
    <h4>Parameters</h4>
    <table><tr><th>Name</th><th>In</th><th>Type</th></tr>${rows}</table>
  `;
}

function contentHtml(content: Record<string, { schema?: Schema }> | undefined): Html {
  return html`${
    Object.entries(content ?? {}).map(([mediaType, { schema }]) =>
      html`<div class="media"><code>${mediaType}</code>${schema ? schemaHtml(schema) : ""}</div>`
    )
  }`;
}

function responsesHtml(
  responses: Record<string, ResponseDescription>,
  shared: Record<string, ResponseDescription>,
): Html {
  const rows = Object.entries(responses).map(([status, given]) => {
    const response = given.$ref === undefined ? given : shared[refName(given.$ref)] ?? {};
    const headers = Object.entries(response.headers ?? {}).map(([name, header]) =>
      html`<div class="media">Header <code>${name}</code>: ${prose(header.description)}</div>`
    );
    return html`
      <tr>
        <td class="status">${status}</td>
        <td>${prose(response.description)}${headers}${contentHtml(response.content)}</td>
      </tr>
    `;
  });
  return html`
    <h4>Responses</h4>
    <table><tr><th>Status</th><th>Meaning and body</th></tr>${rows}</table>
  `;
}

function operationHtml(entry: Entry, shared: Record<string, ResponseDescription>): Html {
  const { operation } = entry;
  const needsToken = (operation.security ?? []).some((scheme) => Object.keys(scheme).length > 0);
  const body = operation.requestBody;
  return html`<article id="${operationAnchor(entry)}"><h3>${
    methodBadge(entry.method)
  } <code>${entry.path}</code></h3>
<p class="summary">${prose(operation.summary)}</p>${
    operation.description ? html`<p>${prose(operation.description)}</p>` : ""
  }
<p class="note">${needsToken ? "Needs the admin token (bearer)." : "Needs no token."}</p>
${parametersHtml(operation.parameters ?? [])}${
    body
      ? html`<h4>Request body${body.required ? "" : " (optional)"}</h4>${contentHtml(body.content)}`
      : ""
  }
${responsesHtml(operation.responses ?? {}, shared)}</article>`;
}

/** The whole page for `description`. */
export async function renderApiDocsPage(description: ApiDescription): Promise<string> {
  const { info } = description;
  const groups = groupByTag(description);
  const tagText = new Map((description.tags ?? []).map((tag) => [tag.name, tag.description]));
  const shared = description.components?.responses ?? {};
  const schemas = Object.entries(description.components?.schemas ?? {});
  const page = html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>${info.title} ${info.version}</title>
        <style>${raw(API_DOCS_STYLE)}</style>
      </head>
      <body>
        <header>
          <h1>${info.title} <span class="note">${info.version}</span></h1>
          <p>${prose(info.description)}</p>
          <p>The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
        </header>
        <nav>
          <h2>Contents</h2>
          <ul>${groups.map(([tag, entries]) =>
            html`<li><a href="#${tagAnchor(tag)}">${tag}</a><ul>${
              entries.map((entry) =>
                html`<li><a href="#${operationAnchor(entry)}">${
                  methodBadge(entry.method)
                } <code>${entry.path}</code></a> ${prose(entry.operation.summary)}</li>`
              )
            }</ul></li>`
          )}<li><a href="#schemas">Schemas</a></li></ul>
        </nav>
        <main>${groups.map(([tag, entries]) =>
          html`<section id="${tagAnchor(tag)}"><h2>${tag}</h2><p>${prose(tagText.get(tag))}</p>${
            entries.map((entry) => operationHtml(entry, shared))
          }</section>`
        )}<section id="schemas"><h2>Schemas</h2>${schemas.map(([name, schema]) =>
          html`<article id="${schemaAnchor(name)}"><h3>${name}</h3>${schemaHtml(schema)}</article>`
        )}</section></main>
      </body>
    </html>
  `;
  return (await page).toString();
}
