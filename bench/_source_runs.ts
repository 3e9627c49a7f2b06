/**
 * Repeated `smtp-source` runs against one server: a warm-up, then timed runs, each
 * printed as it ends, then a check that the server took every message it answered.
 *
 * @module
 */

import type { ThroughputResult } from "./_report.ts";
import type { BenchServer } from "./_servers.ts";
import { runSmtpSource, type SourceLoad, type SourceRun } from "./_smtp_source.ts";

/** How many runs of which load, under which scenario name. */
export interface SourcePlan {
  scenario: string;
  load: SourceLoad;
  runs: number;
  /** Messages sent first and not timed. */
  warmUpMessages: number;
}

/**
 * Runs every plan in order against `server`, then confirms the server's own count of
 * messages (where it keeps one) equals every message sent since it started.
 * `alreadySent` counts messages the server took before this call.
 */
export async function measureSourcePlans(
  server: BenchServer,
  plans: SourcePlan[],
  alreadySent = 0,
): Promise<ThroughputResult[]> {
  const results: ThroughputResult[] = [];
  let sent = alreadySent;
  for (const plan of plans) {
    if (plan.warmUpMessages > 0) {
      await runSmtpSource(server.port, { ...plan.load, messages: plan.warmUpMessages });
      sent += plan.warmUpMessages;
    }
    const runs: SourceRun[] = [];
    for (let run = 0; run < plan.runs; run++) {
      runs.push(await runSmtpSource(server.port, plan.load));
      sent += plan.load.messages;
      console.log(
        `${server.name}, ${plan.scenario}, run ${run + 1}: ` +
          `${runs.at(-1)!.messagesPerSecond.toFixed(0)} msg/s`,
      );
    }
    results.push({ scenario: plan.scenario, server: server.name, runs });
  }
  await server.confirmAccepted(sent);
  return results;
}
