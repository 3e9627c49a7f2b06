/**
 * 100 KiB messages at c=20 under Postfix's `smtp-source`: Tollgate (durable) against
 * nodemailer's smtp-server without its greeting delay and Postfix's smtp-sink (both
 * discard), one message per connection and many per connection (`-d`).
 *
 * Standalone: `deno run -A bench/payload_100k.ts`; `bench/run.ts` adds its section to
 * `docs/benchmarks.md`.
 *
 * @module
 */

import { type ThroughputResult, throughputTable } from "./_report.ts";
import {
  BENCH_USER,
  startSinkServer,
  startSmtpServer,
  startTollgateServer,
  withServers,
} from "./_servers.ts";
import { measureSourcePlans, type SourcePlan } from "./_source_runs.ts";
import { ensureSmtpSource } from "./_smtp_source.ts";

/** The load of every run. */
export const PAYLOAD_100K_LOAD = {
  payloadBytes: 100 * 1024,
  sessions: 20,
  messages: 600,
  warmUpMessages: 60,
  runs: 5,
};

function plans(): SourcePlan[] {
  const { payloadBytes, sessions, messages, warmUpMessages, runs } = PAYLOAD_100K_LOAD;
  return [false, true].map((reuseConnections) => ({
    scenario: reuseConnections
      ? "100 KiB, many per connection (-d)"
      : "100 KiB, one per connection",
    load: {
      messages,
      sessions,
      payloadBytes,
      reuseConnections,
      sender: BENCH_USER.address,
      recipient: BENCH_USER.address,
    },
    runs,
    warmUpMessages,
  }));
}

/** Measures Tollgate, smtp-server (no greeting delay) and smtp-sink; rows grouped by scenario. */
export async function measurePayload100K(): Promise<ThroughputResult[]> {
  await ensureSmtpSource();
  return await withServers(
    [startTollgateServer, () => startSmtpServer(false), startSinkServer],
    (servers) => measureSourcePlans(servers, plans()),
  );
}

/** The `## 100 KiB messages` section of `docs/benchmarks.md`. */
export function payload100KSection(results: ThroughputResult[]): string {
  const { sessions, messages, warmUpMessages, runs } = PAYLOAD_100K_LOAD;
  return `## 100 KiB messages (messages per second, ${runs} runs each)

${throughputTable(results)}

\`smtp-source -l 102400 -m ${messages} -s ${sessions} [-d]\`, ${warmUpMessages} warm-up
messages per scenario not counted. Tollgate streams each body into its durable queue before it
answers \`250\`; smtp-server (without its greeting delay) and smtp-sink read and discard it.
Tollgate's queue count and smtp-sink's own counter (\`-c\`) confirm every message arrived;
smtp-source stops at the first reply that is not a success, so a refusing peer cannot look fast.
smtp-sink is the ceiling for the protocol exchange, not for moving bodies: with \`-d\` it can
trail smtp-server here.
`;
}

if (import.meta.main) {
  console.log(payload100KSection(await measurePayload100K()));
}
