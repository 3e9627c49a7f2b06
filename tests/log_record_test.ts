import { deepEqual, equal } from "node:assert/strict";
import { logRecord } from "../server/log_record.ts";

Deno.test("logRecord: a deferred delivery names its queue id, recipient and reply", () => {
  const line = "delivery 0123456789abcdef0123 to a@example.net deferred: 451 4.3.0 try later";
  const record = logRecord(line, 0);
  deepEqual(
    [record.component, record.event, record.level, record.queueId, record.recipient, record.reply],
    [
      "delivery",
      "deferred",
      "warn",
      "0123456789abcdef0123",
      "a@example.net",
      "451 4.3.0 try later",
    ],
  );
  equal(record.time, "1970-01-01T00:00:00.000Z");
});

Deno.test("logRecord: queue control by route, refusals and unknown lines", () => {
  const held = logRecord("admin queue hold route *: 2 of 2 messages", 0);
  deepEqual([held.component, held.event, held.route], ["admin", "queue-control", "*"]);
  const refused = logRecord("smtp [2001:db8::1]:4000 refused: too many connections", 0);
  deepEqual([refused.event, refused.clientAddress], ["refused", "2001:db8::1"]);
  const other = logRecord("auth checked by user store, cache 60 s", 0);
  deepEqual([other.component, other.event, other.user, other.reply], ["auth", "info", null, null]);
});
