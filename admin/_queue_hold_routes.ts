/**
 * Queue control: hold and release one message (`POST /api/queue/{id}/hold`,
 * `/release`), and hold, release or retry every message for a route or a
 * recipient domain (`POST /api/queue/hold|release|retry` with
 * `{"route": "*"}` or `{"domain": "example.net"}`).
 *
 * @module
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { destinationOf } from "../delivery/delivery_plan.ts";
import type { RecipientStores } from "../relay/recipient_check.ts";
import { holdDelivery, releaseDelivery } from "../store/queue_hold.ts";
import type { DeliveryState, MessageQueue, QueuedMessage, RouteStore } from "../store/types.ts";
import { adminRouter, errorReply, jsonReply, type Reply, tokenRoute } from "./_api_schema.ts";
import { jsonObjectBody } from "./_json_body.ts";
import { noQueuedMessage, QUEUE_TAGS, QueueIdParams } from "./_queue_routes.ts";

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
const PAGE = 1000;

const Selector = z.union([
  z.strictObject({
    route: z.string().min(1).openapi({ description: "A route pattern; `*` the default route." }),
  }),
  z.strictObject({
    domain: z.string().min(1).transform((domain) => domain.toLowerCase())
      .openapi({ description: "A recipient domain." }),
  }),
], { error: 'expected {"route": "<pattern>"} or {"domain": "<domain>"}' }).openapi("QueueSelector");

const WHAT: Record<Action, string> = {
  hold: "Hold the queued messages for a route or domain",
  release: "Release the held messages for a route or domain",
  retry: "Retry the queued messages for a route or domain now",
};

const bulkRoute = (action: Action) =>
  tokenRoute({
    method: "post",
    path: `/${action}`,
    tags: QUEUE_TAGS,
    summary: WHAT[action],
    description: "Every message with a recipient still queued for the route (or the domain). " +
      "A held message is never delivered until released; `retry` leaves held messages held.",
    middleware: jsonObjectBody(),
    request: {
      body: { required: true, content: { "application/json": { schema: Selector } } },
    },
    responses: {
      200: jsonReply(
        "How many messages matched, and how many changed.",
        z.object({ matched: z.number().int(), changed: z.number().int() }).openapi("QueueChange"),
      ),
      400: errorReply("The body names neither a route nor a domain."),
    },
  });

const itemRoute = (action: "hold" | "release") =>
  tokenRoute({
    method: "post",
    path: `/{id}/${action}`,
    tags: QUEUE_TAGS,
    summary: action === "hold" ? "Hold a queued message" : "Release a held message",
    request: { params: QueueIdParams },
    responses: {
      200: jsonReply(
        "Whether it is held now.",
        z.object({ id: z.string(), held: z.boolean() }).openapi("QueueHold"),
      ),
      400: errorReply("The id is not 20 hex digits."),
      404: errorReply("No queued message with this id."),
    },
  });

/**
 * The queue control routes, mounted at `/api/queue`. A held message is never
 * delivered until released; its queue lifetime keeps running (see
 * `docs/operations.md`). `retry` leaves held messages held.
 */
export function queueHoldRoutes(deps: QueueHoldDeps): OpenAPIHono {
  const app = adminRouter();
  const { queue } = deps;
  const change = (action: Action, delivery: DeliveryState): DeliveryState | undefined => {
    if (action === "hold") return delivery.held ? undefined : holdDelivery(delivery);
    if (action === "release") {
      return delivery.held ? releaseDelivery(delivery, deps.now()) : undefined;
    }
    return delivery.held ? undefined : { ...delivery, nextAttemptAt: deps.now() };
  };

  for (const action of ["hold", "release", "retry"] as const) {
    const route = bulkRoute(action);
    app.openapi(route, async (c): Reply<typeof route> => {
      const selector = c.req.valid("json");
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
      return c.json({ matched: matches.length, changed }, 200);
    });
  }

  for (const action of ["hold", "release"] as const) {
    const route = itemRoute(action);
    app.openapi(route, async (c): Reply<typeof route> => {
      const { id } = c.req.valid("param");
      const delivery = await queue.delivery(id);
      if (!delivery) return c.json(noQueuedMessage(id), 404);
      const next = change(action, delivery);
      if (next && !(await queue.update(id, next))) return c.json(noQueuedMessage(id), 404);
      if (next) deps.log(`queue ${id} ${action === "hold" ? "held" : "released"}`);
      return c.json({ id, held: action === "hold" }, 200);
    });
  }
  return app;
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
