/**
 * A ready admin app over memory stores, with a fake password hasher whose
 * outputs carry recognisable markers, and a helper to call it.
 *
 * @module
 */

import { type AdminApp, createAdminApp } from "../admin/mod.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import type { Stores } from "../store/types.ts";

/** The token the fixture's app accepts. */
export const TOKEN = "test-admin-token_0123456789";
/** The fixture's clock: every `updatedAt` is this instant. */
export const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

/** Marks every fake hash so tests can search responses and logs for it. */
export const HASH_MARKER = "FAKEHASH";
/** Marks every fake CRAM-MD5 secret. */
export const CRAM_MARKER = "FAKECRAM";

/** What a test gets: the app, its stores, and the lines it logged. */
export interface AdminFixture {
  app: AdminApp;
  stores: Stores;
  logs: string[];
}

/**
 * Builds the app. `cramMd5` makes the fake hasher return a CRAM-MD5 secret;
 * `stores` replaces some of the memory stores (e.g. with a failing one).
 */
export function adminFixture(
  options: { cramMd5?: boolean; stores?: Partial<Stores> } = {},
): AdminFixture {
  const stores = { ...createMemoryStores(() => NOW), ...options.stores };
  const logs: string[] = [];
  const app = createAdminApp({
    stores,
    token: TOKEN,
    setPassword: (password) => {
      const passwordHash = `$fake$${HASH_MARKER}:${password}`;
      return Promise.resolve(
        options.cramMd5 ? { passwordHash, cramMd5Secret: `${CRAM_MARKER}:${password}` } : {
          passwordHash,
        },
      );
    },
    now: () => NOW,
    log: (line) => logs.push(line),
  });
  return { app, stores, logs };
}

/** A response, read once: status, headers, raw text and parsed JSON (if any). */
export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/**
 * Calls the app. `json` is sent as an `application/json` body; `body` sends
 * raw text with no content type unless `contentType` is given; `authorization` replaces the default
 * `Bearer <TOKEN>` header (`null` sends none).
 */
export async function call(
  app: AdminApp,
  request: string,
  options: { json?: unknown; body?: string; contentType?: string; authorization?: string | null } =
    {},
): Promise<CallResult> {
  const [method, path] = request.split(" ");
  const headers = new Headers();
  const authorization = options.authorization === undefined
    ? `Bearer ${TOKEN}`
    : options.authorization;
  if (authorization !== null) headers.set("authorization", authorization);
  // Bytes, not a string: a string body would get `text/plain` by default.
  let body = options.body === undefined ? undefined : new TextEncoder().encode(options.body);
  if (options.json !== undefined) {
    body = new TextEncoder().encode(JSON.stringify(options.json));
    headers.set("content-type", "application/json");
  }
  if (options.contentType !== undefined) headers.set("content-type", options.contentType);
  const response = await app.request(path, { method, headers, body });
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.startsWith("application/json");
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: isJson ? JSON.parse(text) : undefined,
  };
}
