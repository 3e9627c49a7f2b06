/**
 * Queue control: hold and release one message (`POST /api/queue/{id}/hold`,
 * `/release`), and hold, release or retry every message for a route or a
 * recipient domain (`POST /api/queue/hold|release|retry` with
 * `{"route": "*"}` or `{"domain": "example.net"}`).
 *
 * @module
 */
import { Hono } from "hono";
import { destinationOf } from "../delivery/delivery_plan.ts";
import type { RecipientStores } from "../relay/recipient_check.ts";
import { holdDelivery, releaseDelivery } from "../store/queue_hold.ts";
import type { DeliveryState, MessageQueue, QueuedMessage, RouteStore } from "../store/types.ts";

/** What queue control needs. */
export interface QueueHoldDeps {
  /** The queue. */
  queue: MessageQueue;
  /** What deciding a recipient's route reads. */
  stores: RecipientStores & { routes: RouteStore };
  /** The current time (ms since epoch): "retry" makes messages due now. */
  now: () => number;
  /** One line per change. */
  log: (line: string) => void;
}

type Action = "hold" | "release" | "retry";
type Selector = { route: string } | { domain: string };

const QUEUE_ID = /^[0-9a-f]{20}$/;
const PAGE = 1000;

/**
 * The queue control routes, mounted at `/api/queue`. A held message is never
 * delivered until released; its queue lifetime keeps running (see
 * `docs/operations.md`). `retry` leaves held messages held.
 */
export function queueHoldRoutes(deps: QueueHoldDeps): Hono {
  const app = new Hono();
  const { queue } = deps;
  const change = (action: Action, delivery: DeliveryState): DeliveryState | undefined => {
    if (action === "hold") return delivery.held ? undefined : holdDelivery(delivery);
    if (action === "release") {
      return delivery.held ? releaseDelivery(delivery, deps.now()) : undefined;
    }
    return delivery.held ? undefined : { ...delivery, nextAttemptAt: deps.now() };
  };

  for (const action of ["hold", "release", "retry"] as const) {
    app.post(`/${action}`, async (c) => {
      const selector = parseSelector(await c.req.json().catch(() => undefined));
      if (typeof selector === "string") return c.json({ error: selector }, 400);
      const routes = await deps.stores.routes.list();
      const matches = await selectMessages(queue, async (_message, delivery) => {
        const waiting = delivery.recipients.filter((one) => one.status === "queued");
        for (const { address } of waiting) {
          if ("domain" in selector) {
            if (address.slice(address.lastIndexOf("@") + 1).toLowerCase() === selector.domain) {
              return true;
            }
            continue;
          }
          const destination = await destinationOf(address, { stores: deps.stores, routes });
          const route = destination.kind === "relay"
            ? destination.route.pattern
            : destination.kind === "mx"
            ? destination.route?.pattern
            : undefined;
          if (route === selector.route) return true;
        }
        return false;
      });
      let changed = 0;
      for (const { id, delivery } of matches) {
        const next = change(action, delivery);
        if (next && await queue.update(id, next)) changed++;
      }
      const which = "domain" in selector ? `domain ${selector.domain}` : `route ${selector.route}`;
      deps.log(`queue ${action} ${which}: ${changed} of ${matches.length} messages`);
      return c.json({ matched: matches.length, changed });
    });
  }

  for (const action of ["hold", "release"] as const) {
    app.post(`/:id/${action}`, async (c) => {
      const id = c.req.param("id");
      if (!QUEUE_ID.test(id)) {
        return c.json({ error: `Invalid queue id "${id}": expected 20 hex digits` }, 400);
      }
      const delivery = await queue.delivery(id);
      if (!delivery) return c.json({ error: `No queued message ${id}` }, 404);
      const next = change(action, delivery);
      if (next && !(await queue.update(id, next))) {
        return c.json({ error: `No queued message ${id}` }, 404);
      }
      if (next) deps.log(`queue ${id} ${action === "hold" ? "held" : "released"}`);
      return c.json({ id, held: action === "hold" });
    });
  }
  return app;
}

/** `{"route": pattern}` or `{"domain": name}`, or the error message. */
function parseSelector(body: unknown): Selector | string {
  const usage = 'Expected a JSON body {"route": "<pattern>"} or {"domain": "<domain>"}';
  if (typeof body !== "object" || body === null) return usage;
  const { route, domain } = body as Record<string, unknown>;
  if (typeof route === "string" && domain === undefined && route !== "") return { route };
  if (typeof domain === "string" && route === undefined && domain !== "") {
    return { domain: domain.toLowerCase() };
  }
  return usage;
}

/** Every queued message (paged through) whose state `matches` accepts. */
async function selectMessages(
  queue: MessageQueue,
  matches: (message: QueuedMessage, delivery: DeliveryState) => Promise<boolean>,
): Promise<{ id: string; delivery: DeliveryState }[]> {
  const found: { id: string; delivery: DeliveryState }[] = [];
  let cursor: string | undefined;
  do {
    const page = await queue.list({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const message of page.items) {
      const delivery = await queue.delivery(message.id);
      if (delivery && await matches(message, delivery)) found.push({ id: message.id, delivery });
    }
    cursor = page.cursor;
  } while (cursor);
  return found;
}
