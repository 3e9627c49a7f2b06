import { equal } from "node:assert/strict";
import { clientGroup } from "../auth/client_group.ts";

Deno.test("clientGroup: IPv4 is the address itself", () => {
  equal(clientGroup("192.0.2.1"), "192.0.2.1");
  equal(clientGroup("::ffff:192.0.2.1"), "192.0.2.1");
  equal(clientGroup("::FFFF:c000:0201"), "192.0.2.1");
});

Deno.test("clientGroup: IPv6 is its /64, in canonical form", () => {
  equal(clientGroup("2001:DB8:0:0:1:2:3:4"), "2001:db8::/64");
  equal(clientGroup("2001:db8:aa:bb::1"), "2001:db8:aa:bb::/64");
  equal(clientGroup("[2001:db8:aa:bb::1]"), "2001:db8:aa:bb::/64");
  equal(clientGroup("::1"), "::/64");
});

Deno.test("clientGroup: anything else is the text, lower-cased", () => {
  equal(clientGroup("Unknown"), "unknown");
  equal(clientGroup("/run/tollgate.sock"), "/run/tollgate.sock");
  equal(clientGroup("127.1"), "127.1");
});
