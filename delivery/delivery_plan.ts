/**
 * Where each queued recipient goes, and which recipients share a connection.
 *
 * A recipient of a local domain who is a user goes to that user's Maildir;
 * one of a local domain who is not (any more) bounces. Every other recipient
 * goes by its domain's route (`resolveRoute`): to the route's relay host, or
 * to the domain's MX hosts when the route names none or no route matches.
 * Recipients of several due messages that go the same way are grouped, so one
 * connection carries them all. Reads the stores; does no I/O itself.
 *
 * @module
 */
import type { DueMessage } from "../store/types.ts";
import type { DeliveryOutcome } from "./delivery_state.ts";
import { normalizeRecipientDomain } from "../relay/local_domains.ts";
import { checkRecipient, type RecipientStores } from "../relay/recipient_check.ts";
import { resolveRoute, type Route } from "./routes.ts";

/**
 * Where one recipient goes.
 *
 * @example
 * ```ts
 * import { type Destination, destinationOf } from "@tollgate/tollgate/delivery";
 * import { createMemoryStores } from "@tollgate/tollgate/store";
 * const stores = createMemoryStores(() => 0);
 * const destination: Destination = await destinationOf("b@example.org", { stores, routes: [] });
 * console.log(destination); // { kind: "mx", domain: "example.org" }
 * ```
 */
export type Destination =
  | { kind: "local"; mailbox: string }
  | { kind: "relay"; route: Route & { relay: string } }
  | { kind: "mx"; domain: string; route?: Route }
  | { kind: "failed"; status: "temporary" | "permanent"; reply: string };

/**
 * Connections to make: one relay, or the MX hosts of one domain.
 *
 * @example
 * ```ts
 * import type { RemoteDestination } from "@tollgate/tollgate/delivery";
 * const hostOf = (destination: RemoteDestination) =>
 *   destination.kind === "relay" ? destination.route.relay : `MX of ${destination.domain}`;
 * console.log(hostOf({ kind: "mx", domain: "example.org" })); // "MX of example.org"
 * ```
 */
export type RemoteDestination = Extract<Destination, { kind: "relay" | "mx" }>;

/**
 * One connection's work: parts of one or more messages.
 *
 * @example
 * ```ts
 * import type { RemoteJob } from "@tollgate/tollgate/delivery";
 * const job: RemoteJob = {
 *   destination: { kind: "mx", domain: "example.net" },
 *   parts: [
 *     { id: "a", to: ["x@example.net"] }, { id: "b", to: ["y@example.net", "z@example.net"] },
 *   ],
 * };
 * console.log(job.parts.flatMap((part) => part.to).length); // 3 recipients over one connection
 * ```
 */
export interface RemoteJob {
  /** Where to connect. */
  destination: RemoteDestination;
  /** Per message, the recipients this connection delivers. */
  parts: { id: string; to: string[] }[];
}

/**
 * Everything to do for a batch of due messages.
 *
 * @example
 * ```ts
 * import type { DeliveryPlan } from "@tollgate/tollgate/delivery";
 * const plan: DeliveryPlan = {
 *   local: [{ id: "a", address: "u@domain.de", mailbox: "u@domain.de" }],
 *   remote: [{ destination: { kind: "mx", domain: "x.example" },
 *     parts: [{ id: "b", to: ["y@x.example"] }] }],
 *   settled: [],
 * };
 * console.log(plan.local.length, plan.remote.length); // 1 1
 * ```
 */
export interface DeliveryPlan {
  /** Recipients to write into Maildirs. */
  local: { id: string; address: string; mailbox: string }[];
  /** Connections to make. */
  remote: RemoteJob[];
  /** Recipients settled without delivering: unknown local users, store failures. */
  settled: { id: string; outcome: DeliveryOutcome }[];
}

const NO_MAILBOX = "550 5.1.1 Sorry, no mailbox here by that name. (#5.1.1)";

/**
 * Decides where one recipient goes.
 *
 * @example
 * ```ts
 * import { destinationOf } from "./delivery_plan.ts";
 * import { createMemoryStores } from "../store/memory/stores.ts";
 * const stores = createMemoryStores(() => 0);
 * const routes = [{ pattern: "*", relay: "mail.provider.example", tls: "starttls" as const }];
 * console.log((await destinationOf("b@example.org", { stores, routes })).kind); // "relay"
 * ```
 */
export async function destinationOf(
  recipient: string,
  context: { stores: RecipientStores; routes: readonly Route[] },
): Promise<Destination> {
  const at = recipient.lastIndexOf("@");
  if (at <= 0 || at === recipient.length - 1) {
    return { kind: "failed", status: "permanent", reply: "550 5.1.3 not a valid address (#5.1.3)" };
  }
  const domain = normalizeRecipientDomain(recipient.slice(at + 1));
  // The relay decision again, as for an authenticated client: local users
  // stay here, everything else is relayed (it was accepted, so it may be).
  const verdict = await checkRecipient(
    { recipient, clientAddress: "", authenticatedUser: "delivery" },
    context.stores,
  );
  switch (verdict.kind) {
    case "accept":
      if (verdict.because === "local") {
        return { kind: "local", mailbox: `${recipient.slice(0, at).toLowerCase()}@${domain}` };
      }
      break;
    case "unknown-user":
      return { kind: "failed", status: "permanent", reply: NO_MAILBOX };
    case "temporary-failure":
      return { kind: "failed", status: "temporary", reply: `451 4.3.0 ${verdict.reason}` };
    case "relay-denied":
      break;
  }
  const { route } = resolveRoute(domain, context.routes);
  if (route?.relay !== undefined) return { kind: "relay", route: { ...route, relay: route.relay } };
  return route === undefined ? { kind: "mx", domain } : { kind: "mx", domain, route };
}

/** The key under which recipients share one connection (or one MX walk). */
function connectionKey(destination: RemoteDestination): string {
  return destination.kind === "relay"
    ? `relay ${destination.route.pattern}`
    : `mx ${destination.domain} ${destination.route?.pattern ?? ""}`;
}

/**
 * Plans a batch: each queued recipient of each message (once, if listed
 * twice) to a Maildir, a connection, or a settled outcome.
 *
 * @example
 * ```ts
 * import { planDeliveries } from "./delivery_plan.ts";
 * import { createMemoryStores } from "../store/memory/stores.ts";
 * const stores = createMemoryStores(() => 0);
 * const message = {
 *   id: "a", from: "x@example.net", to: ["b@example.org", "c@example.org"],
 *   clientAddress: "192.0.2.1", helo: "c", receivedAt: 0, size: 1,
 * };
 * const delivery = { nextAttemptAt: 0, recipients: message.to.map((address) => (
 *   { address, status: "queued" as const, attempts: 0 }
 * )) };
 * const plan = await planDeliveries([{ message, delivery }], { stores, routes: [] });
 * console.log(plan.remote[0].parts); // [{ id: "a", to: ["b@example.org", "c@example.org"] }]
 * ```
 */
export async function planDeliveries(
  due: readonly DueMessage[],
  context: { stores: RecipientStores; routes: readonly Route[] },
): Promise<DeliveryPlan> {
  const plan: DeliveryPlan = { local: [], remote: [], settled: [] };
  const jobs = new Map<string, RemoteJob>();
  for (const { message, delivery } of due) {
    const queued = delivery.recipients.filter((state) => state.status === "queued");
    for (const address of new Set(queued.map((state) => state.address))) {
      const destination = await destinationOf(address, context);
      if (destination.kind === "local") {
        plan.local.push({ id: message.id, address, mailbox: destination.mailbox });
      } else if (destination.kind === "failed") {
        const { status, reply } = destination;
        plan.settled.push({ id: message.id, outcome: { address, status, reply } });
      } else {
        const key = connectionKey(destination);
        const job = jobs.get(key) ?? { destination, parts: [] };
        jobs.set(key, job);
        const part = job.parts.find((candidate) => candidate.id === message.id);
        if (part) part.to.push(address);
        else job.parts.push({ id: message.id, to: [address] });
      }
    }
  }
  plan.remote = [...jobs.values()];
  return plan;
}

/**
 * How many more messages may go into delivery, by what they need.
 *
 * @example
 * ```ts
 * import { admitDeliveries, type DeliveryRoom } from "@tollgate/tollgate/delivery";
 * const room: DeliveryRoom = { local: 10, remote: 0 }; // every SMTP slot is busy
 * const local = [{ id: "a", address: "u@domain.de", mailbox: "u@domain.de" }];
 * const plan = { local, remote: [], settled: [] };
 * console.log(admitDeliveries(["a"], plan, room).local); // ["a"]
 * ```
 */
export interface DeliveryRoom {
  /** Messages with only local (Maildir) or settled recipients. */
  local: number;
  /** Messages with a recipient to deliver over SMTP. */
  remote: number;
}

/**
 * Keeps the part of `plan` that fits `room`, earliest messages first: a
 * message with any remote recipient takes remote room, any other local room.
 * So local mail is never held back by a backlog for a slow next hop; what
 * does not fit stays queued for a later pass.
 *
 * @example
 * ```ts
 * import { admitDeliveries } from "@tollgate/tollgate/delivery";
 * const plan = {
 *   local: [{ id: "a", address: "u@domain.de", mailbox: "u@domain.de" }],
 *   remote: [{
 *     destination: { kind: "mx" as const, domain: "example.net" },
 *     parts: [{ id: "b", to: ["x@example.net"] }, { id: "c", to: ["y@example.net"] }],
 *   }],
 *   settled: [],
 * };
 * const { plan: admitted, local, remote } = admitDeliveries(["a", "b", "c"], plan, { local: 5, remote: 1 });
 * console.log(local, remote, admitted.remote[0].parts.length); // ["a"] ["b"] 1
 * ```
 */
export function admitDeliveries(
  ids: readonly string[],
  plan: DeliveryPlan,
  room: DeliveryRoom,
): { plan: DeliveryPlan; local: string[]; remote: string[] } {
  const needsRemote = new Set(plan.remote.flatMap((job) => job.parts.map((part) => part.id)));
  const local = ids.filter((id) => !needsRemote.has(id)).slice(0, Math.max(0, room.local));
  const remote = ids.filter((id) => needsRemote.has(id)).slice(0, Math.max(0, room.remote));
  const admitted = new Set([...local, ...remote]);
  return {
    local,
    remote,
    plan: {
      local: plan.local.filter((item) => admitted.has(item.id)),
      settled: plan.settled.filter((item) => admitted.has(item.id)),
      remote: plan.remote
        .map((job) => ({ ...job, parts: job.parts.filter((part) => admitted.has(part.id)) }))
        .filter((job) => job.parts.length > 0),
    },
  };
}

/**
 * Spreads a job over up to `connections` connections of at least
 * `minMessagesPerConnection` messages each (one, if it has fewer), in order: a backlog for one next hop goes out in parallel, while a few
 * messages still share one connection (one connect, EHLO and QUIT).
 *
 * @example
 * ```ts
 * import { spreadJob } from "@tollgate/tollgate/delivery";
 * const parts = Array.from({ length: 25 }, (_, n) => ({ id: `m${n}`, to: ["x@example.net"] }));
 * const job = { destination: { kind: "mx" as const, domain: "example.net" }, parts };
 * console.log(spreadJob(job, { connections: 20, minMessagesPerConnection: 10 })
 *   .map((one) => one.parts.length)); // [13, 12]
 * ```
 */
export function spreadJob(
  job: RemoteJob,
  options: { connections: number; minMessagesPerConnection: number },
): RemoteJob[] {
  const count = Math.max(
    1,
    Math.min(options.connections, Math.floor(job.parts.length / options.minMessagesPerConnection)),
  );
  const jobs: RemoteJob[] = [];
  for (let k = 0, start = 0; k < count; k++) {
    const end = start + Math.ceil((job.parts.length - start) / (count - k));
    jobs.push({ destination: job.destination, parts: job.parts.slice(start, end) });
    start = end;
  }
  return jobs;
}
