/**
 * Delivers one planned connection's messages: to a route's relay host, or to
 * a domain's MX hosts one address after another (RFC 5321 §5.1) until every
 * recipient is delivered or failed for good. Each outcome names the host
 * that gave it, for the bounce's `Remote-MTA`.
 *
 * @module
 */
import type { DeliveryOutcome } from "./delivery_state.ts";
import type { RemoteDestination } from "./delivery_plan.ts";
import type {
  DeliverOverSmtp,
  MxLookup,
  OutboundMessage,
  OutboundTarget,
  RecipientOutcome,
} from "./outbound_types.ts";
import type { Route } from "./routes.ts";
import { routeTarget } from "./route_target.ts";

/**
 * What remote delivery uses.
 *
 * @example
 * ```ts
 * import type { RemoteDeliveryOptions } from "@tollgate/tollgate/delivery";
 * const options: RemoteDeliveryOptions = {
 *   ehloName: "mail.domain.de",
 *   deliver: () => Promise.resolve([]),
 *   lookup: () => Promise.resolve({ kind: "temporary", reply: "no DNS here" }),
 * };
 * console.log(options.ehloName); // "mail.domain.de"
 * ```
 */
export interface RemoteDeliveryOptions {
  /** The name sent with EHLO. */
  ehloName: string;
  /** The SMTP client. */
  deliver: DeliverOverSmtp;
  /** Finds a domain's MX hosts (`lookupMailHosts` with the configured resolver). */
  lookup: (domain: string) => Promise<MxLookup>;
}

/**
 * Delivers `messages` (each with only the recipients for this destination)
 * and returns the outcomes per message, in order. Never throws.
 *
 * @example
 * ```ts
 * import { deliverRemote } from "@tollgate/tollgate/delivery";
 * const [[outcome]] = await deliverRemote(
 *   { kind: "relay", route: { pattern: "*", relay: "192.0.2.25", tls: "none" } },
 *   [{ from: "a@domain.de", to: ["b@example.org"], size: 0, body: async function* () {} }],
 *   {
 *     ehloName: "mail.domain.de",
 *     deliver: (_target, messages) =>
 *       Promise.resolve(messages.map((m) =>
 *         m.to.map((address) => ({ address, status: "delivered" as const, reply: "250 ok" }))
 *       )),
 *     lookup: () => Promise.resolve({ kind: "temporary", reply: "no DNS here" }),
 *   },
 * );
 * console.log(outcome.remoteMta); // "192.0.2.25"
 * ```
 */
export async function deliverRemote(
  destination: RemoteDestination,
  messages: OutboundMessage[],
  options: RemoteDeliveryOptions,
): Promise<DeliveryOutcome[][]> {
  if (destination.kind === "relay") {
    const target = routeTarget(destination.route, { ehloName: options.ehloName });
    const results = await attempt(options.deliver, target, messages);
    return results.map((outcomes) => withHost(outcomes, destination.route.relay));
  }
  const found = await options.lookup(destination.domain);
  if (found.kind !== "hosts") {
    return messages.map((message) =>
      message.to.map((address) => ({ address, status: found.kind, reply: found.reply }))
    );
  }
  const route: Route = destination.route ?? { pattern: destination.domain, tls: "opportunistic" };
  const settled = messages.map(() => new Map<string, DeliveryOutcome>());
  const lastTry = messages.map(() => new Map<string, DeliveryOutcome>());
  hosts: for (const host of found.hosts) {
    for (const address of host.addresses) {
      const open = messages
        .map((message, i) => ({
          i,
          message: { ...message, to: message.to.filter((to) => !settled[i].has(to)) },
        }))
        .filter(({ message }) => message.to.length > 0);
      if (open.length === 0) break hosts;
      const target = routeTarget({ ...route, relay: address }, { ehloName: options.ehloName });
      target.servername = host.name;
      const results = await attempt(options.deliver, target, open.map(({ message }) => message));
      results.forEach((outcomes, k) => {
        for (const outcome of withHost(outcomes, host.name)) {
          (outcome.status === "temporary" ? lastTry : settled)[open[k].i].set(
            outcome.address,
            outcome,
          );
        }
      });
    }
  }
  return messages.map((message, i) =>
    message.to.map((address) =>
      settled[i].get(address) ?? lastTry[i].get(address) ??
        { address, status: "temporary", reply: "no MX host could be reached" }
    )
  );
}

async function attempt(
  deliver: DeliverOverSmtp,
  target: OutboundTarget,
  messages: OutboundMessage[],
): Promise<RecipientOutcome[][]> {
  try {
    return await deliver(target, messages);
  } catch (error) {
    const reason = `delivery to ${target.host} failed: ${
      error instanceof Error ? error.message : String(error)
    }`;
    return messages.map((message) =>
      message.to.map((address) => ({ address, status: "temporary" as const, reply: reason }))
    );
  }
}

function withHost(outcomes: RecipientOutcome[], host: string): DeliveryOutcome[] {
  return outcomes.map((outcome) => ({ ...outcome, remoteMta: host }));
}
