import type { OpenApiDocument } from "./_openapi_document.ts";
export const API_DOCS_CSP = "default-src 'none'";
export function renderApiDocsPage(document: OpenApiDocument): string {
  return JSON.stringify(document);
}
