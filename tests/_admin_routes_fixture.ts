/**
 * An admin app for the route endpoints, with an optional fake relay probe.
 *
 * @module
 */

import { type AdminApp, createAdminApp, type RouteProbeResult } from "../admin/mod.ts";
import type { Route } from "../delivery/routes.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import type { Stores } from "../store/types.ts";
import { NOW, TOKEN } from "./_admin_fixture.ts";

/** The app, its stores, its log lines and the routes the probe was asked to test. */
export interface RouteAdminFixture {
  app: AdminApp;
  stores: Stores;
  logs: string[];
  probed: Route[];
}

/** Builds the app; `probe` answers route tests (none: the endpoint answers `501`). */
export function routeAdminFixture(
  probe?: (route: Route) => RouteProbeResult,
): RouteAdminFixture {
  const stores = createMemoryStores(() => NOW);
  const logs: string[] = [];
  const probed: Route[] = [];
  const app = createAdminApp({
    stores,
    token: TOKEN,
    setPassword: () => Promise.reject(new Error("no users in these tests")),
    now: () => NOW,
    log: (line) => logs.push(line),
    probeRoute: probe && ((route) => {
      probed.push(route);
      return Promise.resolve(probe(route));
    }),
  });
  return { app, stores, logs, probed };
}
