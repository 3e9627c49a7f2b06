/**
 * Relays side by side (Tollgate and a private Postfix for one target, or any list): started in turn, always
 * stopped, their logs' ends added to any error raised while they ran.
 *
 * @module
 */

import { startPostfix } from "./_postfix.ts";
import { type Relay, type RelayTarget, startTollgateRelay } from "./_relays.ts";

/** How much of each relay's log an error shows. */
const LOG_TAIL_CHARS = 4000;

/**
 * Starts the relays in turn, runs `work` with them (in that order), and stops every relay
 * that started; an error gets each relay's log's end.
 *
 * @example
 * ```ts ignore
 * import { withRelays } from "./_relay_pair.ts";
 * import { startTollgateRelay } from "./_relays.ts";
 * await withRelays([() => startTollgateRelay({ kind: "maildir" })], async ([tollgate]) => {
 *   console.log(await tollgate.queueEmpty()); // true
 * });
 * ```
 */
export async function withRelays<T>(
  starts: (() => Promise<Relay>)[],
  work: (relays: Relay[]) => Promise<T>,
): Promise<T> {
  const relays: Relay[] = [];
  try {
    for (const start of starts) relays.push(await start());
    return await work(relays);
  } catch (error) {
    const logs = relays.map((relay) =>
      `\n${relay.name}${relay.setup ? ` (${relay.setup})` : ""}'s log (end):\n${
        relay.output().slice(-LOG_TAIL_CHARS)
      }`
    );
    throw new Error(`${error}${logs.join("")}`, { cause: error });
  } finally {
    for (const relay of relays) await relay.stop();
  }
}

/**
 * Starts Tollgate, then Postfix, for `target`, runs `work` with both (in that order) and
 * stops every relay that started.
 *
 * @example
 * ```ts ignore
 * import { withRelayPair } from "./_relay_pair.ts";
 * await withRelayPair({ kind: "maildir" }, async (relays) => {
 *   for (const relay of relays) console.log(relay.name, relay.port);
 * });
 * ```
 */
export async function withRelayPair<T>(
  target: RelayTarget,
  work: (relays: Relay[]) => Promise<T>,
): Promise<T> {
  return await withRelays([() => startTollgateRelay(target), () => startPostfix(target)], work);
}
