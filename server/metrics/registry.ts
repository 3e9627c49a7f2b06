/**
 * A small Prometheus registry: counters, gauges and histograms with labels,
 * rendered in the text exposition format (version 0.0.4). Plain ES2023, no
 * runtime APIs, so the core can count without a Node-only library.
 *
 * @module
 */

/**
 * Label names to values; every series of one metric uses the same names.
 *
 * @example
 * ```ts
 * import type { Labels } from "@tollgate/tollgate/server";
 * const labels: Labels = { listener: "smtp", class: "2xx" };
 * console.log(labels.listener); // "smtp"
 * ```
 */
export type Labels = Readonly<Record<string, string>>;

/**
 * A metric family's type.
 *
 * @example
 * ```ts
 * import type { MetricKind } from "@tollgate/tollgate/server";
 * const kind: MetricKind = "counter";
 * console.log(kind); // "counter"
 * ```
 */
export type MetricKind = "counter" | "gauge" | "histogram";

interface Family {
  name: string;
  help: string;
  kind: MetricKind;
  buckets: readonly number[];
  /** Series by their rendered label set. */
  series: Map<string, { labels: Labels; value: number; counts: number[]; sum: number }>;
}

/**
 * Metric families and their series, rendered on demand for `GET /metrics`.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "@tollgate/tollgate/server";
 * const registry = new MetricsRegistry();
 * registry.describe("tollgate_demo_total", "counter", "Demo events.");
 * registry.add("tollgate_demo_total", { kind: "a" });
 * console.log(registry.render().includes('tollgate_demo_total{kind="a"} 1')); // true
 * ```
 */
export class MetricsRegistry {
  #families = new Map<string, Family>();

  /** Declares a family (its TYPE and HELP lines); histograms need `buckets` (upper bounds). */
  describe(name: string, kind: MetricKind, help: string, buckets: readonly number[] = []): void {
    if (this.#families.has(name)) return;
    this.#families.set(name, { name, help, kind, buckets, series: new Map() });
  }

  /** Adds `by` (default 1) to a counter or gauge series. */
  add(name: string, labels: Labels = {}, by = 1): void {
    const series = this.#series(name, labels);
    series.value += by;
  }

  /** Sets a gauge series. */
  set(name: string, labels: Labels, value: number): void {
    this.#series(name, labels).value = value;
  }

  /** Records one observation in a histogram. */
  observe(name: string, labels: Labels, value: number): void {
    const family = this.#family(name);
    const series = this.#series(name, labels);
    family.buckets.forEach((bound, k) => {
      if (value <= bound) series.counts[k]++;
    });
    series.value++;
    series.sum += value;
  }

  /** The exposition text: every family with its HELP, TYPE and series. */
  render(): string {
    const lines: string[] = [];
    for (const family of this.#families.values()) {
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
      lines.push(`# TYPE ${family.name} ${family.kind}`);
      for (const series of family.series.values()) {
        if (family.kind !== "histogram") {
          lines.push(`${family.name}${labelText(series.labels)} ${number(series.value)}`);
          continue;
        }
        family.buckets.forEach((bound, k) => {
          const labels = { ...series.labels, le: number(bound) };
          lines.push(`${family.name}_bucket${labelText(labels)} ${series.counts[k]}`);
        });
        const all = { ...series.labels, le: "+Inf" };
        lines.push(`${family.name}_bucket${labelText(all)} ${series.value}`);
        lines.push(`${family.name}_sum${labelText(series.labels)} ${number(series.sum)}`);
        lines.push(`${family.name}_count${labelText(series.labels)} ${series.value}`);
      }
    }
    return lines.join("\n") + "\n";
  }

  #family(name: string): Family {
    const family = this.#families.get(name);
    if (!family) throw new RangeError(`Metric ${name} was not described`);
    return family;
  }

  #series(name: string, labels: Labels) {
    const family = this.#family(name);
    const key = seriesKey(labels);
    let series = family.series.get(key);
    if (!series) {
      series = { labels: { ...labels }, value: 0, counts: family.buckets.map(() => 0), sum: 0 };
      family.series.set(key, series);
    }
    return series;
  }
}

/** Identifies a series by its label names and values: cheaper than its escaped text. */
function seriesKey(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return "";
  if (names.length > 1) names.sort();
  return names.map((name) => `${name}=${JSON.stringify(labels[name])}`).join(",");
}

function labelText(labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return "";
  return `{${names.map((name) => `${name}="${escapeValue(labels[name])}"`).join(",")}}`;
}

function escapeValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function number(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return Number.isNaN(value) ? "NaN" : String(value);
}
