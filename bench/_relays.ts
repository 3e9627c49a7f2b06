/**
 * The relays the end-to-end benchmark compares, behind one shape: Tollgate started as
 * `deno task start` does, with delivery on (on its embedded KV store, or on PostgreSQL as
 * one node or several sharing one database), and a private Postfix instance
 * (`bench/_postfix.ts`). Each either relays all mail to an SMTP next hop on 127.0.0.1 or
 * delivers it into the Maildir of one local user.
 *
 * @module
 */

import { maildirFor } from "../runtime/deno/maildir.ts";
import { addLocalUser, adminOk, type RunningTollgate, startTollgate } from "../tests/_server.ts";
import { BENCH_USER } from "./_servers.ts";

/** Where a relay sends what it accepts. */
export type RelayTarget =
  /** Every recipient goes to `127.0.0.1:<port>` (Tollgate: route `*`; Postfix: relayhost). */
  | { kind: "smtp"; port: number }
  /** {@linkcode MAILDIR_RECIPIENT} is a local user; mail goes to its Maildir. */
  | { kind: "maildir" };

/** The recipient of relayed mail: not a local address of either relay. */
export const RELAY_RECIPIENT = "u@example.org";
/** The recipient of Maildir mail: the bench user, local to both relays. */
export const MAILDIR_RECIPIENT = BENCH_USER.address;

/** What a relay's log says about its deliveries so far. */
export interface LogCounts {
  delivered: number;
  deferred: number;
  /** Lines that say something went wrong besides a deferral (bounces, errors). */
  troubled: number;
}

/** Counts the lines of `log` that match each pattern (each with the `g` flag). */
export function countLines(
  log: string,
  patterns: Record<keyof LogCounts, RegExp>,
): LogCounts {
  const count = (pattern: RegExp) => log.match(pattern)?.length ?? 0;
  return {
    delivered: count(patterns.delivered),
    deferred: count(patterns.deferred),
    troubled: count(patterns.troubled),
  };
}

/** A relay under load. */
export interface Relay {
  name: "Tollgate" | "Postfix";
  /** How it is set up, when several of one name run side by side ("PostgreSQL, 2 nodes"). */
  setup?: string;
  /** Its SMTP listener on 127.0.0.1 (with several nodes: the first node's). */
  port: number;
  /** With several nodes: every node's SMTP listener; load is spread evenly over them. */
  ports?: number[];
  /** Whether its queue holds no message at all (nothing waiting, nothing in flight). */
  queueEmpty(): Promise<boolean>;
  /** With a Maildir target: the `new/` folder the messages land in. */
  maildirNew?: string;
  /** What it logged so far ("" when not captured). */
  output(): string;
  /** Counts in its log so far: deliveries, deferrals, and other lines that signal trouble. */
  logCounts(): LogCounts;
  stop(): Promise<void>;
}

const TOLLGATE_LOG = {
  delivered: /^.*delivery \S+ to \S+ delivered: .*$/gm,
  deferred: /^.*delivery \S+ to \S+ deferred: .*$/gm,
  troubled: /^.*(?:delivery \S+ to \S+ failed: |removed from the queue meanwhile|rror).*$/gm,
};

/** How to run Tollgate as a relay beyond its defaults. */
export interface TollgateRelayOptions {
  /** Extra environment, such as `TOLLGATE_STORE` and `TOLLGATE_STORE_SCHEMA`. */
  env?: Record<string, string>;
  /** Processes sharing one store (default 1); more than one needs a PostgreSQL store. */
  nodes?: number;
  /** Shown with the name in reports ("KV", "PostgreSQL, 2 nodes"). */
  setup?: string;
}

/**
 * Tollgate with delivery on, trusting 127.0.0.0/8 (relay target: a route `*` to the next
 * hop, no TLS) or with the bench user as a local user (Maildir target). With `nodes > 1`
 * (on a shared PostgreSQL store) the first node is configured through its admin API and the
 * others start after it, so they read that configuration from the store; the relay's queue
 * is empty when every node's API lists none.
 *
 * @example
 * ```ts ignore
 * import { startTollgateRelay } from "./_relays.ts";
 * const relay = await startTollgateRelay({ kind: "smtp", port: 2526 });
 * try {
 *   console.log(await relay.queueEmpty()); // true
 * } finally {
 *   await relay.stop();
 * }
 * ```
 */
export async function startTollgateRelay(
  target: RelayTarget,
  options: TollgateRelayOptions = {},
): Promise<Relay> {
  const count = options.nodes ?? 1;
  if (count > 1 && !/^postgres(?:ql)?:/.test(options.env?.TOLLGATE_STORE ?? "")) {
    throw new Error("Several Tollgate nodes need a shared PostgreSQL TOLLGATE_STORE");
  }
  const env = { TOLLGATE_DELIVERY: "on", ...options.env };
  const nodes: RunningTollgate[] = [];
  const stop = async () => {
    for (const node of nodes) await node.stop();
  };
  try {
    nodes.push(await startTollgate({ env }));
    await configure(nodes[0], target);
    while (nodes.length < count) nodes.push(await startTollgate({ env }));
  } catch (error) {
    await stop();
    throw error;
  }
  const output = () =>
    nodes.length === 1
      ? nodes[0].output()
      : nodes.map((node, index) => `--- node ${index + 1} ---\n${node.output()}`).join("\n");
  return {
    name: "Tollgate",
    ...(options.setup ? { setup: options.setup } : {}),
    port: nodes[0].smtpPort,
    ...(count > 1 ? { ports: nodes.map((node) => node.smtpPort) } : {}),
    async queueEmpty() {
      for (const node of nodes) {
        const page = await adminOk(node, { method: "GET", path: "/api/queue?limit=1" }) as {
          messages: unknown[];
        };
        if (page.messages.length > 0) return false;
      }
      return true;
    },
    ...(target.kind === "maildir"
      ? { maildirNew: `${maildirFor(`${nodes[0].dataDir}/mail`, MAILDIR_RECIPIENT)}/new` }
      : {}),
    output,
    logCounts: () => countLines(output(), TOLLGATE_LOG),
    stop,
  };
}

async function configure(tollgate: RunningTollgate, target: RelayTarget): Promise<void> {
  if (target.kind === "maildir") return await addLocalUser(tollgate, BENCH_USER);
  const body = { cidr: "127.0.0.0/8" };
  await adminOk(tollgate, { method: "POST", path: "/api/relay-networks", body });
  const route = { relay: "127.0.0.1", port: target.port, tls: "none" };
  await adminOk(tollgate, { method: "PUT", path: "/api/routes/*", body: route });
}
