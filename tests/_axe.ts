/**
 * Accessibility checks with axe-core (Deque's engine, as in Lighthouse and the axe
 * browser extensions), run inside a Playwright page: the WCAG 2.x A and AA rules.
 * The script goes in through the DevTools protocol, which the page's CSP does not
 * govern, so the page under test keeps its policy.
 *
 * @module
 */
import type { AxeResults } from "axe-core";
import type { Page } from "playwright-core";

const AXE_SOURCE = Deno.readTextFileSync(
  new URL("../node_modules/axe-core/axe.min.js", import.meta.url),
);

/** The rule tags checked: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * The violations axe finds on the page as it is now, one line each
 * (`rule (impact): target`); empty when there are none.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  if (!await page.evaluate(() => "axe" in globalThis)) {
    await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  }
  const results = await page.evaluate(
    (tags) =>
      (globalThis as unknown as { axe: { run(o: unknown): Promise<AxeResults> } }).axe.run({
        runOnly: { type: "tag", values: tags },
      }),
    WCAG_TAGS,
  );
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) =>
      `${violation.id} (${violation.impact}): ${node.target.join(" ")} — ${violation.help}`
    )
  );
}
