import { deepEqual } from "node:assert/strict";
import { checkSender, decideSender } from "../relay/sender_policy.ts";
import { createMemoryStores } from "../store/memory/stores.ts";
import type { SenderStore } from "../store/senders.ts";

const user = "test@domain.de";
const accept = { kind: "accept" };
const reject = { kind: "reject" };

Deno.test("decideSender: an authenticated user may send as itself, in any case", () => {
  for (const sender of ["test@domain.de", "Test@Domain.DE", "TEST@domain.de."]) {
    deepEqual(decideSender({ sender, authenticatedUser: user, allowed: [] }), accept, sender);
  }
  deepEqual(
    decideSender({ sender: "test@domain.de", authenticatedUser: "Test@DOMAIN.de", allowed: [] }),
    accept,
  );
});

Deno.test("decideSender: another address is rejected unless granted", () => {
  for (
    const other of [
      "boss@domain.de",
      "test@domain.de.evil.example",
      "test@sub.domain.de",
      "test+tag@domain.de",
      "domain.de",
      "test",
    ]
  ) {
    deepEqual(decideSender({ sender: other, authenticatedUser: user, allowed: [] }), reject, other);
  }
});

Deno.test("decideSender: grants of one address or a whole domain", () => {
  const allowed = ["info@domain.de", "@Shop.Domain.DE"];
  const decide = (sender: string) => decideSender({ sender, authenticatedUser: user, allowed });
  deepEqual(decide("INFO@domain.de"), accept);
  deepEqual(decide("anyone@shop.domain.de"), accept);
  deepEqual(decide("anyone@shop.domain.de."), accept);
  deepEqual(decide("anyone@sub.shop.domain.de"), reject);
  deepEqual(decide("info2@domain.de"), reject);
  deepEqual(decide("anyone@domain.de"), reject);
});

Deno.test("decideSender: the null sender is accepted for authenticated users", () => {
  deepEqual(decideSender({ sender: "", authenticatedUser: user, allowed: [] }), accept);
});

Deno.test("decideSender: clients that did not authenticate are not subject to it", () => {
  deepEqual(decideSender({ sender: "anyone@example.org", allowed: [] }), accept);
  deepEqual(
    decideSender({ sender: "anyone@example.org", authenticatedUser: "", allowed: [] }),
    accept,
  );
});

Deno.test("decideSender: a user name without '@' owns no address, only its grants", () => {
  deepEqual(decideSender({ sender: "test", authenticatedUser: "test", allowed: [] }), reject);
  deepEqual(
    decideSender({ sender: "test@domain.de", authenticatedUser: "test", allowed: [] }),
    reject,
  );
  deepEqual(
    decideSender({
      sender: "test@domain.de",
      authenticatedUser: "test",
      allowed: ["test@domain.de"],
    }),
    accept,
  );
});

Deno.test("checkSender: reads the grants of the lower-cased user from the store", async () => {
  const stores = createMemoryStores(() => 0);
  await stores.senders.add("test@domain.de", "@shop.domain.de");
  await stores.senders.add("other@domain.de", "info@domain.de");
  const check = (sender: string) =>
    checkSender({ sender, authenticatedUser: "Test@Domain.de" }, stores);
  deepEqual(await check("sales@shop.domain.de"), accept);
  deepEqual(await check("info@domain.de"), reject);
  deepEqual(await check("test@domain.de"), accept);
});

Deno.test("checkSender: a failing store is a temporary failure, and is not read when it cannot matter", async () => {
  let reads = 0;
  const failing: SenderStore = {
    list: () => {
      reads++;
      return Promise.reject(new Error("disk on fire"));
    },
    add: () => Promise.resolve(),
    remove: () => Promise.resolve(false),
  };
  const stores = { senders: failing };
  deepEqual(await checkSender({ sender: "x@example.org", authenticatedUser: user }, stores), {
    kind: "temporary-failure",
    reason: "sender store failed: disk on fire",
  });
  deepEqual(await checkSender({ sender: user, authenticatedUser: user }, stores), accept);
  deepEqual(await checkSender({ sender: "", authenticatedUser: user }, stores), accept);
  deepEqual(await checkSender({ sender: "x@example.org" }, stores), accept);
  deepEqual(reads, 1);
});
