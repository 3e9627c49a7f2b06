/**
 * The relays the end-to-end benchmark compares, behind one shape: Tollgate started as
 * `deno task start` does, with delivery on, and a private Postfix instance
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
  /** Its SMTP listener on 127.0.0.1. */
  port: number;
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

/**
 * Tollgate with delivery on, trusting 127.0.0.0/8 (relay target: a route `*` to the next
 * hop, no TLS) or with the bench user as a local user (Maildir target).
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
export async function startTollgateRelay(target: RelayTarget): Promise<Relay> {
  const tollgate = await startTollgate({ env: { TOLLGATE_DELIVERY: "on" } });
  try {
    await configure(tollgate, target);
  } catch (error) {
    await tollgate.stop();
    throw error;
  }
  return {
    name: "Tollgate",
    port: tollgate.smtpPort,
    async queueEmpty() {
      const page = await adminOk(tollgate, { method: "GET", path: "/api/queue?limit=1" }) as {
        messages: unknown[];
      };
      return page.messages.length === 0;
    },
    ...(target.kind === "maildir"
      ? { maildirNew: `${maildirFor(`${tollgate.dataDir}/mail`, MAILDIR_RECIPIENT)}/new` }
      : {}),
    output: () => tollgate.output(),
    logCounts: () => countLines(tollgate.output(), TOLLGATE_LOG),
    stop: () => tollgate.stop(),
  };
}

async function configure(tollgate: RunningTollgate, target: RelayTarget): Promise<void> {
  if (target.kind === "maildir") return await addLocalUser(tollgate, BENCH_USER);
  const body = { cidr: "127.0.0.0/8" };
  await adminOk(tollgate, { method: "POST", path: "/api/relay-networks", body });
  const route = { relay: "127.0.0.1", port: target.port, tls: "none" };
  await adminOk(tollgate, { method: "PUT", path: "/api/routes/*", body: route });
}
