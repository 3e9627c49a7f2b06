/**
 * Outbound routes kept in memory (see `memory.ts` for the other stores).
 *
 * @module
 */
import type { Route } from "../types.ts";
import { copyRoute } from "../route_record.ts";
import type { RouteStore } from "../types.ts";

/**
 * Outbound routes kept in memory, listed by pattern.
 *
 * @example
 * ```ts
 * import { MemoryRouteStore } from "@tollgate/tollgate/store";
 * const routes = new MemoryRouteStore();
 * await routes.put({ pattern: ".example.net", relay: "relay.example.net", tls: "starttls" });
 * console.log((await routes.get(".example.net"))?.relay); // "relay.example.net"
 * ```
 */
export class MemoryRouteStore implements RouteStore {
  #routes = new Map<string, Route>();

  /** Every route, sorted by pattern. */
  list(): Promise<Route[]> {
    const patterns = [...this.#routes.keys()].sort();
    return Promise.resolve(patterns.map((pattern) => copyRoute(this.#routes.get(pattern)!)));
  }
  /** The route with this exact pattern, or undefined. */
  get(pattern: string): Promise<Route | undefined> {
    const route = this.#routes.get(pattern);
    return Promise.resolve(route && copyRoute(route));
  }
  /** Creates or replaces the route with `route.pattern`. */
  put(route: Route): Promise<void> {
    this.#routes.set(route.pattern, copyRoute(route));
    return Promise.resolve();
  }
  /** Creates or replaces every route; nothing here can fail halfway. */
  putAll(routes: Route[]): Promise<void> {
    for (const route of routes) this.#routes.set(route.pattern, copyRoute(route));
    return Promise.resolve();
  }
  /** Removes the route; returns whether it existed. */
  remove(pattern: string): Promise<boolean> {
    return Promise.resolve(this.#routes.delete(pattern));
  }
}
