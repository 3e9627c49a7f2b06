import { deepEqual, equal, match } from "node:assert/strict";
import { lookupMailHosts, type MxLookupOptions } from "../runtime/deno/mx.ts";
import { bindUdp, startDnsmasq } from "./_dnsmasq.ts";

const RECORDS = [
  "--mx-host=example.test,mx-b.example.test,20",
  "--mx-host=example.test,mx-a.example.test,10",
  "--mx-host=example.test,mx-c.example.test,20",
  "--host-record=mx-a.example.test,127.0.0.10",
  "--host-record=mx-b.example.test,127.0.0.11,::1",
  "--host-record=mx-c.example.test,127.0.0.12",
  "--host-record=plain.test,127.0.0.20",
  "--host-record=v6only.test,::1",
  "--mx-host=nullmx.test,.,0",
  "--host-record=nullmx.test,127.0.0.30",
  "--mx-host=dangling.test,nowhere.dangling.test,10",
];

Deno.test("mx: lookups against a local dnsmasq", async (t) => {
  const dns = await startDnsmasq(RECORDS);
  const options = (extra: MxLookupOptions = {}): MxLookupOptions => ({
    nameServer: { ipAddr: "127.0.0.1", port: dns.port },
    ...extra,
  });
  try {
    await t.step("MX hosts come sorted by preference, each with its addresses", async () => {
      const result = await lookupMailHosts("Example.TEST.", options({ random: () => 0.5 }));
      equal(result.kind, "hosts");
      if (result.kind !== "hosts") return;
      equal(result.hosts[0].name, "mx-a.example.test");
      deepEqual(result.hosts[0], {
        name: "mx-a.example.test",
        preference: 10,
        addresses: ["127.0.0.10"],
      });
      deepEqual(result.hosts.slice(1).map((host) => host.preference), [20, 20]);
      const b = result.hosts.find((host) => host.name === "mx-b.example.test");
      deepEqual(b?.addresses, ["127.0.0.11", "::1"]);
    });

    await t.step("equal preferences are shuffled by the random source", async () => {
      const orders = new Set<string>();
      for (const values of [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]]) {
        let next = 0;
        const result = await lookupMailHosts(
          "example.test",
          options({ random: () => values[next++] }),
        );
        if (result.kind === "hosts") orders.add(result.hosts.map((host) => host.name).join(" "));
      }
      deepEqual([...orders].sort(), [
        "mx-a.example.test mx-b.example.test mx-c.example.test",
        "mx-a.example.test mx-c.example.test mx-b.example.test",
      ]);
    });

    await t.step("no MX: the domain's own addresses (implicit MX), IPv6 too", async () => {
      deepEqual(await lookupMailHosts("plain.test", options()), {
        kind: "hosts",
        hosts: [{ name: "plain.test", preference: 0, addresses: ["127.0.0.20"] }],
      });
      deepEqual(await lookupMailHosts("v6only.test", options()), {
        kind: "hosts",
        hosts: [{ name: "v6only.test", preference: 0, addresses: ["::1"] }],
      });
    });

    await t.step("a null MX is a permanent 556 5.1.10, even with an address", async () => {
      const result = await lookupMailHosts("nullmx.test", options());
      equal(result.kind, "permanent");
      if (result.kind === "permanent") match(result.reply, /^556 5\.1\.10 nullmx\.test /);
    });

    await t.step("no MX and no address is a permanent 550 5.1.2", async () => {
      const result = await lookupMailHosts("nonexistent.test", options());
      equal(result.kind, "permanent");
      if (result.kind === "permanent") match(result.reply, /^550 5\.1\.2 nonexistent\.test /);
    });

    await t.step("MX hosts without addresses are a temporary failure naming them", async () => {
      const result = await lookupMailHosts("dangling.test", options());
      equal(result.kind, "temporary");
      if (result.kind === "temporary") match(result.reply, /nowhere\.dangling\.test: no address/);
    });

    await t.step("an address literal is its own host, without asking DNS", async () => {
      const dead = { nameServer: { ipAddr: "127.0.0.1", port: 9 }, timeoutMs: 100 };
      deepEqual(await lookupMailHosts("[127.0.0.1]", dead), {
        kind: "hosts",
        hosts: [{ name: "127.0.0.1", preference: 0, addresses: ["127.0.0.1"] }],
      });
      deepEqual(await lookupMailHosts("[IPv6:::1]", dead), {
        kind: "hosts",
        hosts: [{ name: "::1", preference: 0, addresses: ["::1"] }],
      });
    });
  } finally {
    await dns.stop();
  }
});

Deno.test("mx: a resolver that does not answer is a temporary failure", async () => {
  const silent = await bindUdp(0);
  try {
    const port = silent.address().port;
    const result = await lookupMailHosts("example.test", {
      nameServer: { ipAddr: "127.0.0.1", port },
      timeoutMs: 300,
    });
    equal(result.kind, "temporary");
    if (result.kind === "temporary") match(result.reply, /^MX lookup for example\.test failed: /);
  } finally {
    silent.close();
  }
});
