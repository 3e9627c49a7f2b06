/**
 * Debian's Chromium (`apt-get install chromium`), driven by playwright-core:
 * headless, and quiet (no background requests, updates, sync or first-run
 * pages), so that every request it makes is one the page asked for.
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Starts the browser; close it in a `finally`.
 *
 * @example
 * ```ts ignore
 * const browser = await launchChromium();
 * try {
 *   const page = await browser.newPage();
 *   await page.goto("http://127.0.0.1:8025/");
 * } finally {
 *   await browser.close();
 * }
 * ```
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}
