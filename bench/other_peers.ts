/**
 * The throughput table's other peers: Postfix's `smtp-sink` (the practical ceiling) and
 * Haraka with one process and with two, measured side by side with Tollgate and
 * smtp-server. Haraka is left out, with the reason, when it cannot be installed.
 *
 * @module
 */

import { ensureHaraka, HARAKA_VERSION, startHaraka } from "./_haraka.ts";
import { type BenchServer, startSinkServer } from "./_servers.ts";

/** How to start the other peers, and the notes the throughput table gets about them. */
export interface OtherPeers {
  starts: (() => Promise<BenchServer>)[];
  notes: string[];
}

async function nodeVersion(): Promise<string> {
  const output = await new Deno.Command("node", { args: ["--version"], stdin: "null" }).output();
  return new TextDecoder().decode(output.stdout).trim();
}

/** smtp-sink, and Haraka (1 and 2 processes) once installed. */
export async function otherPeers(): Promise<OtherPeers> {
  const starts = [startSinkServer];
  const notes = [
    "Postfix `smtp-sink` (C, one process, discards) is the practical ceiling: " +
    "`smtp-sink -c 127.0.0.1:<port> 256`; its own message counter is checked after the runs.",
  ];
  const haraka = await ensureHaraka();
  if (!haraka.ok) {
    console.log(`Haraka not measured: ${haraka.reason}`);
    notes.push(`Haraka ${HARAKA_VERSION} could not be measured: ${haraka.reason}.`);
    return { starts, notes };
  }
  for (const processes of [1, 2] as const) {
    starts.push(() => startHaraka(haraka.binary, { processes }));
  }
  notes.push(
    `Haraka ${HARAKA_VERSION} (npm, on Node ${await nodeVersion()}) discards too: its only ` +
      "plugin skips the reverse DNS lookup (as smtp-server's `disableReverseLookup`) and " +
      "accepts every recipient and message (`bench/_haraka.ts`); *1 process* " +
      "runs without cluster (`nodes=0`), *2 processes* is a cluster of two workers (`nodes=2`).",
  );
  return { starts, notes };
}
