import { deepEqual, equal, throws } from "node:assert/strict";
import {
  DEFAULT_QUEUE_LIFETIME,
  DEFAULT_RETRY_SCHEDULE,
  nextAttemptAt,
  parseDuration,
  parseRetrySchedule,
} from "../delivery/retry_policy.ts";

const MINUTE = 60_000;

Deno.test("parseDuration reads s, m, h, d and bare seconds", () => {
  const cases: [string, number][] = [
    ["1s", 1000],
    ["90s", 90_000],
    ["15m", 15 * MINUTE],
    ["4h", 4 * 60 * MINUTE],
    ["7d", 7 * 24 * 60 * MINUTE],
    ["604800", 604_800_000],
    [" 2M ", 2 * MINUTE],
  ];
  for (const [text, ms] of cases) equal(parseDuration(text), ms, text);
  equal(parseDuration(DEFAULT_QUEUE_LIFETIME), 7 * 24 * 60 * MINUTE);
});

Deno.test("parseDuration refuses zero, negatives, fractions, units it does not know", () => {
  for (const text of ["", "0", "0s", "-1m", "1.5h", "1w", "m", "1 m", "1ms", "9999999999s"]) {
    throws(() => parseDuration(text), RangeError, text);
  }
  throws(() => parseDuration("1w"), /Cannot parse duration: "1w"/);
});

Deno.test("parseRetrySchedule reads a comma list; an empty or bad entry names itself", () => {
  deepEqual(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE), [
    MINUTE,
    5 * MINUTE,
    15 * MINUTE,
    60 * MINUTE,
    240 * MINUTE,
  ]);
  deepEqual(parseRetrySchedule("1s"), [1000]);
  throws(() => parseRetrySchedule(""), /Cannot parse retry schedule: it is empty/);
  throws(() => parseRetrySchedule("1m,,5m"), /Cannot parse retry schedule: "" is not/);
  throws(() => parseRetrySchedule("1m,soon"), /Cannot parse retry schedule: "soon"/);
});

Deno.test("nextAttemptAt walks the schedule and repeats its last interval", () => {
  const policy = { schedule: [MINUTE, 5 * MINUTE, 15 * MINUTE], lifetimeMs: 7 * 86_400_000 };
  const after = (failedAttempts: number, now: number) =>
    nextAttemptAt({ failedAttempts, receivedAt: 0, now }, policy);
  deepEqual(after(1, 1000), { kind: "retry", at: 1000 + MINUTE });
  deepEqual(after(2, 1000), { kind: "retry", at: 1000 + 5 * MINUTE });
  deepEqual(after(3, 1000), { kind: "retry", at: 1000 + 15 * MINUTE });
  deepEqual(after(40, 1000), { kind: "retry", at: 1000 + 15 * MINUTE });
  deepEqual(after(0, 1000), { kind: "retry", at: 1000 + MINUTE });
});

Deno.test("nextAttemptAt makes the last try at the end of the lifetime, then gives up", () => {
  const policy = { schedule: [60 * MINUTE], lifetimeMs: 100 * MINUTE };
  const receivedAt = 5 * MINUTE;
  const deadline = receivedAt + 100 * MINUTE;
  const at = (now: number) => nextAttemptAt({ failedAttempts: 1, receivedAt, now }, policy);
  deepEqual(at(receivedAt), { kind: "retry", at: receivedAt + 60 * MINUTE });
  deepEqual(at(deadline - 30 * MINUTE), { kind: "retry", at: deadline });
  deepEqual(at(deadline - 1), { kind: "retry", at: deadline });
  deepEqual(at(deadline), { kind: "give-up" });
  deepEqual(at(deadline + 1), { kind: "give-up" });
  throws(
    () => nextAttemptAt({ failedAttempts: 1, receivedAt: 0, now: 0 }, { ...policy, schedule: [] }),
    RangeError,
  );
});
