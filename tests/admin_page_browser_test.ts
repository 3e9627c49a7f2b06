/**
 * The web admin page end to end, in Debian's Chromium against a real Tollgate
 * process: sign in (a wrong token is refused), add a domain, a user and a
 * route, send a message over SMTP to a relay that answers 451, find it in the
 * queue, read its header and state, hold, release and delete it. Along the
 * way: the token never appears in a URL, the CSP header is there, hostile
 * text is shown as text without running, and axe-core finds no WCAG 2.2 A/AA
 * violation on any view. `TOLLGATE_SCREENSHOTS=1` also saves
 * the main views as `docs/admin-page-*.png` (nothing here looks at pixels).
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { accessibilityViolations } from "./_axe.ts";
import { launchChromium } from "./_browser.ts";
import { eventually, submitMessage } from "./_ops_traffic.ts";
import { adminOk, type RunningTollgate, startTollgate } from "./_server.ts";
import { startRelay } from "./_smtp_server_relay.ts";

const USER = { address: "test@domain.de", password: "testing-password" };
const RELAY_USER = { username: "relay-user", password: "relay-secret" };
const HOSTILE = '<img src=x onerror="window.__pwned=1">';
/** The same, as an RFC 2047 encoded word, which the page decodes (and must still show as text). */
const ENCODED_HOSTILE = `=?UTF-8?B?${btoa(HOSTILE.replace("1", "2"))}?=`;
const SCREENSHOTS = Deno.env.get("TOLLGATE_SCREENSHOTS") === "1";

type QueueItem = { held: boolean; recipients: { attempts: number; lastReply: string | null }[] };

/** What axe found on each view looked at, `view: violation` per line. */
const accessibility: string[] = [];

/** Checks the view as it is now with axe-core. */
async function checkAccessibility(page: Page, name: string): Promise<void> {
  for (const violation of await accessibilityViolations(page)) {
    accessibility.push(`${name}: ${violation}`);
  }
}

/** Checks the view with axe-core and, with `TOLLGATE_SCREENSHOTS=1`, saves it. */
async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await checkAccessibility(page, name);
  if (!SCREENSHOTS) return;
  const path = new URL(`../docs/admin-page-${name}.png`, import.meta.url).pathname;
  await page.screenshot({ path, fullPage });
}

/** Waits until the live region says `text`. */
async function statusSays(page: Page, text: string | RegExp): Promise<void> {
  await page.locator("#status", { hasText: text }).waitFor();
}

function send(tollgate: RunningTollgate, to: string): Promise<string> {
  // Raw, so that the subject reaches the queue as written: text, then two RFC 2047 encoded words.
  const raw = `From: ${USER.address}\r\nTo: ${to}\r\n` +
    `Subject: Report ${HOSTILE}\r\n =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= ${ENCODED_HOSTILE}\r\n\r\nHello.\r\n`;
  return submitMessage(tollgate, USER, to, raw);
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel("Admin token").fill(token);
  await page.getByLabel("Admin token").press("Enter");
}

function navLink(page: Page, section: string) {
  return page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: section });
}

async function open(page: Page, section: string): Promise<void> {
  await navLink(page, section).click();
  await page.getByRole("heading", { level: 2, name: section }).waitFor();
}

Deno.test("the admin page in Chromium: sign in, set up, and hold, release and delete a queued message", async () => {
  const relay = await startRelay({
    authMethods: ["PLAIN"],
    allowInsecureAuth: true,
    user: RELAY_USER,
    refuseRecipient: () => ({ code: 451, message: "4.3.0 try again later" }),
  });
  const tollgate = await startTollgate({ env: { TOLLGATE_DELIVERY: "on" } });
  const browser = await launchChromium();
  const requested: string[] = [];
  const pageErrors: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.on("request", (request) => requested.push(request.url()));
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // A script, style or request the CSP refused shows as a console error naming the policy.
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
    page.on("dialog", (dialog) => dialog.accept());

    const response = await page.goto(`${tollgate.adminUrl}/`);
    ok(response?.headers()["content-security-policy"]?.includes("script-src 'self'"));
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await screenshot(page, "sign-in");
    await signIn(page, "wrong-token-0123456789");
    await statusSays(page, "Invalid bearer token");
    ok(await page.getByLabel("Admin token").isVisible());

    await signIn(page, tollgate.token);
    await page.getByRole("heading", { level: 2, name: "Health" }).waitFor();
    await page.getByText("ok", { exact: true }).waitFor();
    await screenshot(page, "health");

    await open(page, "Domains");
    await page.getByLabel("Domain", { exact: true }).fill("domain.de");
    await page.getByRole("button", { name: "Add" }).click();
    await statusSays(page, "Added local domain domain.de.");
    await page.getByRole("rowheader", { name: "domain.de" }).waitFor();
    await checkAccessibility(page, "domains");

    await open(page, "Users");
    await page.getByLabel("Address", { exact: true }).fill(USER.address);
    await page.getByLabel("Password", { exact: true }).fill(USER.password);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await statusSays(page, `Saved user ${USER.address}; the password is set.`);
    await page.getByRole("rowheader", { name: USER.address }).waitFor();
    equal(await page.getByLabel("Password", { exact: true }).inputValue(), "");
    await screenshot(page, "users");

    await open(page, "Routes");
    await page.getByLabel("Pattern").fill("example.net");
    await page.getByLabel("Relay host (empty: MX hosts)").fill("127.0.0.1");
    await page.getByLabel("Port").fill(String(relay.port));
    await page.getByLabel("TLS").selectOption("none");
    await page.getByLabel("AUTH user").fill(RELAY_USER.username);
    await page.getByLabel("AUTH password").fill(RELAY_USER.password);
    await page.getByLabel("PLAIN").check();
    await page.getByRole("button", { name: "Save route" }).click();
    await statusSays(page, `Saved route example.net (127.0.0.1:${relay.port}).`);
    await page.getByRole("button", { name: "Test route example.net" }).click();
    await statusSays(page, "Route example.net: the test passed.");
    const steps = page.getByRole("region", { name: "Test of route example.net" });
    ok((await steps.getByRole("listitem").allTextContents()).some((step) => /AUTH/.test(step)));
    await page.getByLabel("Recipient address or domain").fill("someone@example.net");
    await page.getByRole("button", { name: "Find the route" }).click();
    await page.getByRole("region", { name: "Route for example.net" }).waitFor();
    await screenshot(page, "routes");
    await page.getByLabel("Recipient address or domain").fill(HOSTILE);
    await page.getByRole("button", { name: "Find the route" }).click();
    await statusSays(page, HOSTILE);

    // An OAuth 2.0 route edited on the page keeps its OAuth settings and write-only secrets.
    await adminOk(tollgate, {
      method: "PUT",
      path: "/api/routes/oauth.example",
      body: {
        relay: "127.0.0.1",
        port: relay.port,
        auth: {
          mechanism: "xoauth2",
          user: "mailbox@oauth.example",
          oauth2: {
            tokenUrl: "http://127.0.0.1:9/token",
            clientId: "tollgate",
            clientSecret: "client-secret-value",
            refreshToken: "refresh-token-value",
          },
        },
      },
    });
    await open(page, "Health");
    await open(page, "Routes"); // drawn again, with the route the API just made
    await page.getByRole("button", { name: "Edit route oauth.example" }).click();
    await page.getByRole("heading", { name: "Edit route oauth.example" }).waitFor();
    await checkAccessibility(page, "routes, editing an OAuth route");
    equal(await page.getByLabel("Credentials", { exact: true }).inputValue(), "oauth");
    equal(
      await page.getByLabel("Token URL", { exact: true }).inputValue(),
      "http://127.0.0.1:9/token",
    );
    equal(await page.getByLabel("Client secret", { exact: true }).inputValue(), "");
    await page.getByLabel("Scope", { exact: true }).fill("https://outlook.office.com/SMTP.Send");
    await page.getByRole("button", { name: "Save route" }).click();
    await statusSays(page, `Saved route oauth.example (127.0.0.1:${relay.port}).`);
    const { routes } = await adminOk(tollgate, { method: "GET", path: "/api/routes" }) as {
      routes: { pattern: string; auth?: { user: string; oauth2: Record<string, unknown> } }[];
    };
    const oauth = routes.find((route) => route.pattern === "oauth.example")?.auth;
    equal(oauth?.user, "mailbox@oauth.example");
    equal(oauth?.oauth2.scope, "https://outlook.office.com/SMTP.Send");
    equal(oauth?.oauth2.clientSecretSet, true);
    equal(oauth?.oauth2.refreshTokenSet, true);

    const id = await send(tollgate, "someone@example.net");
    const item = (path = `/api/queue/${id}`) =>
      adminOk(tollgate, { method: "GET", path }) as Promise<QueueItem>;
    await eventually("a first delivery attempt", async () => {
      const state = await item();
      return state.recipients[0].attempts > 0 ? state : undefined;
    });

    await open(page, "Queue");
    await screenshot(page, "queue");
    await page.getByRole("link", { name: id }).click();
    await page.getByRole("heading", { level: 2, name: `Message ${id}` }).waitFor();
    const recipients = page.getByRole("table", { name: "Delivery state per recipient" });
    await recipients.getByText(/^451 /).waitFor();
    const headers = page.getByRole("table", { name: "Header fields" });
    const subject = `Report ${HOSTILE} Grüße${HOSTILE.replace("1", "2")}`;
    await headers.getByRole("cell", { name: subject, exact: true }).waitFor();
    await screenshot(page, "message");

    await page.getByRole("button", { name: "Hold" }).click();
    await statusSays(page, `Held message ${id}.`);
    await page.getByText("held: not delivered until released").waitFor();
    ok(await page.getByRole("button", { name: "Retry now" }).isDisabled());
    equal((await item()).held, true);
    await page.getByRole("button", { name: "Release" }).click();
    await statusSays(page, `Released message ${id}.`);
    await page.getByRole("button", { name: "Hold" }).waitFor();
    equal((await item()).held, false);

    await page.getByRole("link", { name: "Back to the queue" }).click();
    await page.getByLabel("Messages for").selectOption("domain");
    await page.getByLabel("Route pattern or domain").fill("example.net");
    await page.getByRole("button", { name: "Apply" }).click();
    await statusSays(page, "hold for domain example.net: 1 matched, 1 changed.");
    await page.getByRole("cell", { name: "held", exact: true }).waitFor();
    equal((await item()).held, true);
    await page.getByLabel("Action").selectOption("release");
    await page.getByLabel("Messages for").selectOption("route");
    await page.getByLabel("Route pattern or domain").fill("example.net");
    await page.getByRole("button", { name: "Apply" }).click();
    await statusSays(page, "release for route example.net: 1 matched, 1 changed.");
    equal((await item()).held, false);

    await page.getByRole("link", { name: id }).click();
    await page.getByRole("button", { name: "Delete" }).click();
    await statusSays(page, `Deleted message ${id}.`);
    await page.getByRole("heading", { level: 2, name: "Queue" }).waitFor();
    equal((await tollgate.admin("GET", `/api/queue/${id}`)).status, 404);

    // A token that stops working (here: replaced) sends the page back to sign-in.
    await page.evaluate(() =>
      sessionStorage.setItem("tollgate-admin-token", "expired-token-0123456789")
    );
    await navLink(page, "Domains").click();
    await statusSays(page, "Invalid bearer token");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await signIn(page, tollgate.token);
    await page.getByRole("heading", { level: 2, name: "Domains" }).waitFor();
    // The skip link, from the keyboard, moves focus to the content and stays in the view.
    await page.getByRole("link", { name: "Skip to content" }).focus();
    await page.keyboard.press("Enter");
    equal(await page.locator(":focus").getAttribute("id"), "main");
    equal(new URL(page.url()).hash, "#domains");

    await open(page, "Trusted networks");
    await checkAccessibility(page, "trusted networks");
    await open(page, "DKIM");
    await checkAccessibility(page, "dkim");

    // The API reference: a page of its own, rendered on the server, styled under its own CSP.
    await navLink(page, "API reference").click();
    await page.getByRole("heading", { level: 1, name: /Tollgate admin API/ }).waitFor();
    await page.getByText("Count the queue", { exact: true }).waitFor();
    await screenshot(page, "api-reference", false); // its first screen: the page is long
    await page.goBack();
    await page.getByRole("heading", { level: 2, name: "DKIM" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await statusSays(page, "Signed out.");
    equal(await page.evaluate(() => sessionStorage.length), 0);

    deepEqual(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
    equal(await page.locator("img").count(), 0);
    deepEqual(pageErrors, []);
    equal(accessibility.join("\n"), "");
    deepEqual(requested.filter((url) => url.includes(tollgate.token)), []);
    ok(requested.some((url) => url.includes(`/api/queue/${id}/headers`)));
  } finally {
    await browser.close();
    await tollgate.stop();
    await relay.close();
  }
});
