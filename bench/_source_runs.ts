/**
 * Repeated `smtp-source` runs against servers that run side by side: warm-ups, then the
 * timed runs interleaved (run 1 of every server, then run 2, ...), each printed as it ends,
 * then a check that each server took every message it answered.
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
 * Runs every plan against every server, interleaved: the machine here is shared and drifts
 * from one minute to the next, so each server's runs are spread over the same minutes
 * instead of one server's runs all coming first. The order of the servers rotates from one
 * run to the next. Then confirms each server's own count of messages (where it keeps one).
 * Returns one result per plan and server, grouped by plan, servers in the order given.
 */
export async function measureSourcePlans(
  servers: BenchServer[],
  plans: SourcePlan[],
): Promise<ThroughputResult[]> {
  const sent = new Map<BenchServer, number>(servers.map((server) => [server, 0]));
  const count = (server: BenchServer, messages: number) =>
    sent.set(server, sent.get(server)! + messages);
  const results: ThroughputResult[] = [];
  for (const plan of plans) {
    const runs = new Map<BenchServer, SourceRun[]>(servers.map((server) => [server, []]));
    for (const server of servers) {
      if (plan.warmUpMessages === 0) continue;
      await runSmtpSource(server.port, { ...plan.load, messages: plan.warmUpMessages });
      count(server, plan.warmUpMessages);
    }
    for (let run = 0; run < plan.runs; run++) {
      for (let turn = 0; turn < servers.length; turn++) {
        const server = servers[(turn + run) % servers.length];
        const result = await runSmtpSource(server.port, plan.load);
        runs.get(server)!.push(result);
        count(server, plan.load.messages);
        console.log(
          `${server.name}, ${plan.scenario}, run ${run + 1}: ` +
            `${result.messagesPerSecond.toFixed(0)} msg/s`,
        );
      }
    }
    for (const server of servers) {
      results.push({ scenario: plan.scenario, server: server.name, runs: runs.get(server)! });
    }
  }
  for (const server of servers) await server.confirmAccepted(sent.get(server)!);
  return results;
}
