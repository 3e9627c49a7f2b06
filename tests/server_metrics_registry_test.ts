import { equal } from "node:assert/strict";
import { MetricsRegistry } from "../server/metrics/registry.ts";
import { test } from "./_portable.ts";

test("metrics registry: the same labels in another order are one series", () => {
  const registry = new MetricsRegistry();
  registry.describe("t_total", "counter", "Things.");
  registry.add("t_total", { outcome: "delivered", route: "*" });
  registry.add("t_total", { route: "*", outcome: "delivered" }, 2);
  registry.add("t_total", { route: "mx", outcome: "delivered" });
  equal(
    registry.render(),
    "# HELP t_total Things.\n# TYPE t_total counter\n" +
      't_total{outcome="delivered",route="*"} 3\n' +
      't_total{outcome="delivered",route="mx"} 1\n',
  );
});

test("metrics registry: values that look alike stay apart, and are escaped in the text", () => {
  const registry = new MetricsRegistry();
  registry.describe("t", "gauge", "A gauge.");
  registry.set("t", { a: 'x",b="y' }, 1);
  registry.set("t", { a: "x", b: "y" }, 2);
  registry.set("t", { a: "back\\slash\nline" }, 3);
  equal(
    registry.render(),
    "# HELP t A gauge.\n# TYPE t gauge\n" +
      't{a="x\\",b=\\"y"} 1\n' +
      't{a="x",b="y"} 2\n' +
      't{a="back\\\\slash\\nline"} 3\n',
  );
});
