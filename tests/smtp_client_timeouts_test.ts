import { deepEqual, equal, throws } from "node:assert/strict";
import { ClientSession } from "../smtp/client_session.ts";
import { DEFAULT_CLIENT_TIMEOUTS } from "../smtp/client_types.ts";

const encoder = new TextEncoder();
const reply = (text: string) => encoder.encode(text);

Deno.test("client timeouts: RFC 5321 §4.5.3.2's value at every stage", () => {
  const session = new ClientSession({ ehloName: "t.test", tls: "none", peerIsLoopback: true });
  const deadlines: [string, number | undefined][] = [];
  const note = (stage: string, now: number) => deadlines.push([stage, session.deadline! - now]);
  session.start(1000);
  note("greeting", 1000);
  session.receive(reply("220 relay.test\r\n"), 2000);
  note("EHLO", 2000);
  session.receive(reply("250 relay.test\r\n"), 3000);
  session.send({ from: "a@b.test", to: ["c@d.test"], size: 1 }, 4000);
  note("MAIL", 4000);
  session.receive(reply("250 ok\r\n"), 5000);
  note("RCPT", 5000);
  session.receive(reply("250 ok\r\n"), 6000);
  note("DATA", 6000);
  session.receive(reply("354 go\r\n"), 7000);
  note("data block", 7000);
  session.bodyData(encoder.encode("x"), 8000);
  note("data block", 8000);
  session.bodyEnd(9000);
  note("end of data", 9000);
  session.receive(reply("250 ok\r\n"), 10_000);
  equal(session.deadline, undefined, "ready: waiting for nothing");
  session.quit(11_000);
  note("QUIT", 11_000);
  deepEqual(deadlines, [
    ["greeting", 300_000],
    ["EHLO", 300_000],
    ["MAIL", 300_000],
    ["RCPT", 300_000],
    ["DATA", 120_000],
    ["data block", 180_000],
    ["data block", 180_000],
    ["end of data", 600_000],
    ["QUIT", 300_000],
  ]);
  deepEqual(DEFAULT_CLIENT_TIMEOUTS.connect, 30_000);
});

Deno.test("client timeouts: overrides apply; nothing happens before the deadline", () => {
  const session = new ClientSession({
    ehloName: "t.test",
    tls: "none",
    peerIsLoopback: true,
    timeouts: { greeting: 5000 },
  });
  session.start(0);
  equal(session.deadline, 5000);
  deepEqual(session.timedOut(4999), []);
  const actions = session.timedOut(5000);
  deepEqual(actions, [
    { kind: "failed", reason: "timed out after 5 s waiting for the reply to greeting" },
    { kind: "close" },
  ]);
  equal(session.closed, true);
});

Deno.test("client timeouts: a silent relay after QUIT just closes; a stalled body fails", () => {
  const quitting = new ClientSession({ ehloName: "t.test", tls: "none", peerIsLoopback: true });
  quitting.start(0);
  quitting.receive(reply("220 relay.test\r\n250 relay.test\r\n"), 0);
  quitting.quit(0);
  deepEqual(quitting.timedOut(300_000), [{ kind: "close" }]);

  const stalled = new ClientSession({ ehloName: "t.test", tls: "none", peerIsLoopback: true });
  stalled.start(0);
  stalled.receive(reply("220 relay.test\r\n250 relay.test\r\n"), 0);
  stalled.send({ from: "a@b.test", to: ["c@d.test"], size: 1 }, 0);
  stalled.receive(reply("250 ok\r\n250 ok\r\n354 go\r\n"), 0);
  const actions = stalled.timedOut(180_000);
  const reason = "timed out after 180 s sending message data";
  deepEqual(actions, [
    {
      kind: "message-done",
      outcomes: [{ address: "c@d.test", status: "temporary", reply: reason }],
    },
    { kind: "failed", reason },
    { kind: "close" },
  ]);
});

Deno.test("client session: misuse by the adapter is a TypeError", () => {
  const session = new ClientSession({ ehloName: "t.test", tls: "none", peerIsLoopback: true });
  session.start(0);
  throws(() => session.send({ from: "a@b.test", to: ["c@d.test"], size: 1 }, 0), TypeError);
  throws(() => session.tlsStarted(0), TypeError);
  session.receive(reply("220 relay.test\r\n250 relay.test\r\n"), 0);
  throws(() => session.send({ from: "a@b.test", to: [], size: 1 }, 0), TypeError);
  throws(() => session.send({ from: "a@b.test\r\nRSET", to: ["c@d.test"], size: 1 }, 0), TypeError);
  throws(() => session.send({ from: "a@b.test", to: ["<c@d.test>"], size: 1 }, 0), TypeError);
  throws(
    () =>
      new ClientSession({
        ehloName: "t",
        tls: "starttls",
        peerIsLoopback: false,
        skipStartTls: true,
      }),
    TypeError,
  );
  throws(
    () =>
      new ClientSession({
        ehloName: "t",
        tls: "none",
        peerIsLoopback: false,
        auth: { username: "", password: "x" },
      }),
    TypeError,
  );
});
