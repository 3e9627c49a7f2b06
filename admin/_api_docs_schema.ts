/**
 * The parts of an OpenAPI 3.1 document the API page reads, and JSON Schemas
 * as HTML: a type line, and a table of properties for objects. Every value
 * goes through `hono/html`, which escapes it.
 *
 * @module
 */

import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** HTML from `hono/html` (it may be a promise when a part is one). */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A JSON Schema (2020-12) as the document holds it, or a `$ref` to one. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  example?: unknown;
}

/** The name of `#/components/<kind>/<name>`. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

/** The anchor of a named schema's section. */
export function schemaAnchor(name: string): string {
  return `schema-${name}`;
}

/** Text with its `code spans` in `<code>`, everything escaped. */
export function prose(text: string | undefined): Html {
  if (text === undefined) return html``;
  const parts = text.split("`");
  return html`${parts.map((part, k) => k % 2 === 1 ? html`<code>${part}</code>` : part)}`;
}

/** The constraints worth a reader's eye: format, pattern, lengths, bounds, default. */
function constraints(schema: Schema): string[] {
  const notes: string[] = [];
  if (schema.format !== undefined) notes.push(schema.format);
  if (schema.pattern !== undefined) notes.push(`pattern ${schema.pattern}`);
  if (schema.minLength !== undefined) notes.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) notes.push(`max length ${schema.maxLength}`);
  if (schema.minimum !== undefined) notes.push(`minimum ${schema.minimum}`);
  if (schema.maximum !== undefined) notes.push(`maximum ${schema.maximum}`);
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.example !== undefined) notes.push(`example ${JSON.stringify(schema.example)}`);
  return notes;
}

/** One line naming the type: `string`, `array of Route`, `"a" | "b"`, `object`. */
export function typeLine(schema: Schema): Html {
  if (schema.$ref !== undefined) {
    const name = refName(schema.$ref);
    return html`<a href="#${schemaAnchor(name)}">${name}</a>`;
  }
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants !== undefined) return html`${joined(variants.map(typeLine), " or ")}`;
  if (schema.allOf !== undefined) return html`${joined(schema.allOf.map(typeLine), " and ")}`;
  if (schema.enum !== undefined) {
    return html`<code>${schema.enum.map((value) => JSON.stringify(value)).join(" | ")}</code>`;
  }
  if (schema.const !== undefined) return html`<code>${JSON.stringify(schema.const)}</code>`;
  const types = schema.type === undefined ? ["any"] : [schema.type].flat();
  const named = types.map((type) =>
    type === "array" && schema.items !== undefined ? html`array of ${typeLine(schema.items)}` : type
  );
  const notes = constraints(schema);
  return html`${joined(named, " or ")}${
    notes.length > 0
      ? html`
        <span class="note">(${notes.join("; ")})</span>
      `
      : ""
  }`;
}

function joined(parts: (Html | string)[], separator: string): (Html | string)[] {
  return parts.flatMap((part, k) => k === 0 ? [part] : [separator, part]);
}

/** The object schemas inside `schema` that need their own table (not behind a `$ref`). */
function inlineObjects(schema: Schema): Schema[] {
  if (schema.$ref !== undefined) return [];
  if (schema.properties !== undefined) return [schema];
  const parts = [...schema.anyOf ?? [], ...schema.oneOf ?? [], ...schema.allOf ?? []];
  if (schema.items !== undefined) parts.push(schema.items);
  return parts.flatMap(inlineObjects);
}

/** A schema: its type line, its description, and a table per inline object. */
export function schemaHtml(schema: Schema): Html {
  return html`<div class="schema">${typeLine(schema)}${
    schema.description === undefined ? "" : html`
      — ${prose(schema.description)}
    `
  }${inlineObjects(schema).map(propertyTable)}</div>`;
}

function propertyTable(schema: Schema): Html {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    html`
      <tr>
        <td><code>${name}</code>${required.has(name) ? "" : html`
          <span class="note">optional</span>
        `}</td>
        <td>${schemaHtml(property)}</td>
      </tr>
    `
  );
  const closed = schema.additionalProperties === false
    ? html`<p class="note">No other fields.</p>`
    : "";
  return html`<table><tr><th>Field</th><th>Type</th></tr>${rows}</table>${closed}`;
}
