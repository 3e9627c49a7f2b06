/**
 * Tollgate and a private Postfix side by side for one target: started in turn, always
 * stopped, their logs' ends added to any error raised while they ran.
 *
 * @module
 */

import { startPostfix } from "./_postfix.ts";
import { type Relay, type RelayTarget, startTollgateRelay } from "./_relays.ts";

/** How much of each relay's log an error shows. */
const LOG_TAIL_CHARS = 4000;

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
  const relays: Relay[] = [];
  try {
    relays.push(await startTollgateRelay(target));
    relays.push(await startPostfix(target));
    return await work(relays);
  } catch (error) {
    const logs = relays.map((relay) =>
      `\n${relay.name}'s log (end):\n${relay.output().slice(-LOG_TAIL_CHARS)}`
    );
    throw new Error(`${error}${logs.join("")}`, { cause: error });
  } finally {
    for (const relay of relays) await relay.stop();
  }
}
