import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { encodeOAuthResponse } from "../auth/xoauth2.ts";
import { transportFor } from "./_nodemailer.ts";
import { AUDIENCE, startOAuthLogin, USER } from "./_oauth_login.ts";
import { RawSmtpClient, sendMessage } from "./_raw_smtp.ts";
import { listQueue } from "./_server.ts";

async function send(port: number, accessToken: string, subject: string) {
  const transport = transportFor(port, { type: "OAuth2", user: USER.address, accessToken });
  try {
    return await transport.sendMail({
      from: USER.address,
      to: "someone@example.net",
      subject,
      text: "Signed in with the company's single sign-on.\n",
    });
  } finally {
    transport.close();
  }
}

Deno.test("OAuth login: nodemailer's XOAUTH2 with tokens of oauth2-mock-server", async (t) => {
  const login = await startOAuthLogin();
  const { tollgate } = login;
  const tokens: string[] = [];
  try {
    await t.step("a valid token: 235, and the mail is relayed as that user", async () => {
      // Upper case in the claim: the mailbox is matched case-insensitively.
      const token = await login.token({ email: "Anna@Domain.DE" });
      tokens.push(token);
      const info = await send(tollgate.smtpPort, token, "token ok");
      deepEqual(info.accepted, ["someone@example.net"]);
      const queued = (await listQueue(tollgate)).filter((m) => m.from === USER.address);
      equal(queued.length, 1);
      equal(queued[0].authUser, USER.address);
    });

    await t.step("expired, forged, wrong audience, unknown mailbox: 535 each", async () => {
      const bad = {
        expired: await login.token({ expiresIn: -120 }),
        forged: await login.forgedToken(),
        audience: await login.token({ audience: `${AUDIENCE}-other` }),
        unknown: await login.token({ email: "nobody@domain.de" }),
      };
      tokens.push(...Object.values(bad));
      // At once: the limiter's growing pauses then overlap.
      await Promise.all(
        Object.entries(bad).map(async ([what, token]) => {
          await rejects(
            send(tollgate.smtpPort, token, what),
            (error: { responseCode?: number }) => {
              equal(error.responseCode, 535, what);
              return true;
            },
          );
        }),
      );
      const queued = await listQueue(tollgate);
      equal(queued.length, 1);
    });

    await t.step("failures are logged like wrong passwords, and no token is", () => {
      const output = tollgate.output();
      const failures = output.match(/auth failed client=127\.0\.0\.1 .*mechanism=XOAUTH2/g) ?? [];
      // nodemailer answers the 334 with an empty line, and after the 535 tries once more
      // with a fresh token (the same one here): two failed logins per client.
      equal(failures.length, 8, output);
      match(output, /auth XOAUTH2 ok user=anna@domain\.de/);
      for (const token of tokens) ok(!output.includes(token.split(".")[2]), "a token in the log");
    });
  } finally {
    await login.close();
  }
});

Deno.test("OAuth login: OAUTHBEARER dialogue, with RFC 7628's error exchange", async () => {
  const login = await startOAuthLogin({}, { jwks: true });
  const client = await RawSmtpClient.connect(login.tollgate.smtpPort);
  try {
    await client.reply();
    const ehlo = await client.command("EHLO client.test");
    ok(ehlo.lines.some((line) => /^AUTH .*XOAUTH2 OAUTHBEARER$/.test(line)), ehlo.lines.join());

    const forged = encodeOAuthResponse("OAUTHBEARER", {
      user: USER.address,
      token: await login.forgedToken(),
    });
    const error = await client.command(`AUTH OAUTHBEARER ${forged}`);
    equal(error.code, 334);
    deepEqual(JSON.parse(atob(error.lines[0])), { status: "invalid_token" });
    const refused = await client.command("AQ==");
    equal(refused.code, 535);
    match(refused.lines[0], /^5\.7\.8 /);

    // An empty line is the other dummy answer; `n,,` leaves the user to the token.
    const expired = btoa(`n,,\x01auth=Bearer ${await login.token({ expiresIn: -60 })}\x01\x01`);
    equal((await client.command(`AUTH OAUTHBEARER ${expired}`)).code, 334);
    equal((await client.command("")).code, 535);

    const valid = btoa(`n,,\x01auth=Bearer ${await login.token()}\x01\x01`);
    const accepted = await client.command(`AUTH OAUTHBEARER ${valid}`);
    equal(accepted.code, 235);
    const stored = await sendMessage(client, {
      from: USER.address,
      to: ["friend@example.net"],
      body: "Subject: sso\r\n\r\nhello\r\n",
    });
    equal(stored.code, 250);
    equal((await listQueue(login.tollgate))[0].authUser, USER.address);
  } finally {
    client.close();
    await login.close();
  }
});

Deno.test("OAuth login: not advertised where AUTH needs TLS", async () => {
  const login = await startOAuthLogin({ TOLLGATE_INSECURE_AUTH: "never" });
  const client = await RawSmtpClient.connect(login.tollgate.smtpPort);
  try {
    await client.reply();
    const ehlo = await client.command("EHLO client.test");
    ok(!ehlo.lines.some((line) => line.startsWith("AUTH")), ehlo.lines.join());
    const token = encodeOAuthResponse("XOAUTH2", {
      user: USER.address,
      token: await login.token(),
    });
    equal((await client.command(`AUTH XOAUTH2 ${token}`)).code, 538);
  } finally {
    client.close();
    await login.close();
  }
});
