/**
 * A real Tollgate process with an OAuth 2.0 route: `invalid_grant` keeps the
 * mail queued and marks the route in the API; fixed, the queued mail goes out
 * with the token `smtp-server` checks; the route test shows the token step.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import { adminOk, startTollgate } from "./_server.ts";
import { CLIENT, startIdp, startOAuthRelay } from "./_oauth_parties.ts";

const USER = "kunde@gmail.example";

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test("Tollgate with an OAuth route: invalid_grant keeps mail queued and marks the route; fixed, it goes out", async () => {
  const idp = await startIdp();
  const relay = await startOAuthRelay(idp, USER);
  const tollgate = await startTollgate({ env: { TOLLGATE_DELIVERY: "on" } });
  try {
    const oauth2 = { tokenUrl: idp.tokenUrl, clientId: CLIENT.id, clientSecret: CLIENT.secret };
    const route = (refreshToken: string) => ({
      relay: "127.0.0.1",
      port: relay.port,
      tls: "none",
      auth: { mechanism: "xoauth2", user: USER, oauth2: { ...oauth2, refreshToken } },
    });
    await adminOk(tollgate, { method: "PUT", path: "/api/routes/*", body: route("1//revoked") });
    await adminOk(tollgate, {
      method: "POST",
      path: "/api/relay-networks",
      body: { cidr: "127.0.0.1" },
    });
    const client = await RawSmtpClient.connect(tollgate.smtpPort);
    await client.reply();
    await client.command("EHLO client.test");
    const sent = await sendMessage(client, {
      from: "test@domain.de",
      to: ["friend@example.org"],
      body: "Subject: oauth\r\n\r\nHello.\r\n",
    });
    equal(sent.code, 250, sent.lines.join(" "));
    client.close();
    const id = sent.lines[0].split(" qp ")[1];

    type View = { auth: { state?: { status: string; detail: string } } };
    const broken = await until("the route to be marked broken", async () => {
      const { routes } = await adminOk(tollgate, { method: "GET", path: "/api/routes" }) as {
        routes: View[];
      };
      return routes[0].auth.state?.status === "broken" ? routes[0].auth.state : undefined;
    });
    match(broken.detail, /refused the refresh_token grant: 400 invalid_grant/);
    const queued = await until("the attempt to be recorded", async () => {
      const item = await adminOk(tollgate, { method: "GET", path: `/api/queue/${id}` }) as {
        recipients: { status: string; attempts: number; lastReply?: string }[];
      };
      return item.recipients[0].attempts > 0 ? item.recipients[0] : undefined;
    });
    equal(queued.status, "queued");
    match(queued.lastReply!, /^OAuth 2\.0 route \* is broken: .*invalid_grant/);
    match(tollgate.output(), /oauth: route \* is broken: .*invalid_grant/);
    equal(relay.connections, 0);

    await adminOk(tollgate, { method: "PUT", path: "/api/routes/*", body: route(CLIENT.refresh) });
    const tested = await adminOk(tollgate, { method: "POST", path: "/api/routes/*/test" }) as {
      ok: boolean;
      steps: { step: string; ok: boolean }[];
    };
    equal(tested.ok, true);
    deepEqual(tested.steps.map((s) => s.step), [
      "token",
      "connect",
      "greeting",
      "ehlo",
      "auth",
      "result",
    ]);
    await adminOk(tollgate, { method: "POST", path: `/api/queue/${id}/retry` });
    await until(
      "the message to reach the relay",
      () => Promise.resolve(relay.messages.length > 0 ? true : undefined),
    );
    deepEqual(relay.messages, [["friend@example.org"]]);
    const output = tollgate.output();
    for (const secret of [CLIENT.secret, CLIENT.refresh]) equal(output.includes(secret), false);
  } finally {
    await tollgate.stop();
    await relay.close();
    await idp.close();
  }
});
