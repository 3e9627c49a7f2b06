/**
 * Parses Prometheus exposition text with the official Python client's parser
 * (Debian's `python3-prometheus-client`), so a test checks `/metrics` against an
 * independent reader, not our own.
 *
 * @module
 */
import { runWithInput } from "./_command.ts";

/** One sample as the parser read it. */
export interface Sample {
  /** The sample's name (`_bucket`, `_sum`, `_count` for histograms). */
  name: string;
  /** Its labels. */
  labels: Record<string, string>;
  /** Its value. */
  value: number;
  /** The family's declared type. */
  type: string;
}

const SCRIPT = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"name": s.name, "labels": s.labels, "value": s.value, "type": family.type})
print(json.dumps(out))
`;

/** Parses `text`; rejects with the parser's error when it is not valid exposition text. */
export async function parseMetrics(text: string): Promise<Sample[]> {
  const { code, stdout, stderr } = await runWithInput("/usr/bin/python3", ["-c", SCRIPT], text);
  if (code !== 0) throw new Error(`prometheus_client parser: ${stderr}`);
  return JSON.parse(stdout);
}

/** The value of the sample named `name` whose labels include `labels`, or 0 when absent. */
export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = samples.find((sample) =>
    sample.name === name &&
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
  );
  return found?.value ?? 0;
}

/** Runs `promtool` (Debian's `prometheus`) with `args`, `input` on stdin. */
export async function promtool(
  args: string[],
  input = "",
): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runWithInput("promtool", args, input);
  return { code, output: stdout + stderr };
}
