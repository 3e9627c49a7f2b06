/**
 * The login-attempt part of the store contract: failures counted over a
 * window, cleared, and bans that keep their latest end.
 *
 * @module
 */
import { equal } from "node:assert/strict";
import type { LoginAttemptStore } from "../store/login_attempts.ts";
import { test } from "./_portable.ts";
import { withOpened } from "./_store_helpers.ts";

/** Opens a fresh, empty login-attempt store, and how to close it. */
export type OpenLoginAttempts = () => Promise<
  { attempts: LoginAttemptStore; close(): void | Promise<void> }
>;

function withAttempts(
  open: OpenLoginAttempts,
  body: (attempts: LoginAttemptStore) => Promise<void>,
): Promise<void> {
  return withOpened(open, ({ attempts }) => body(attempts));
}

/** Registers the login-attempt contract for one backend. */
export function registerLoginAttemptContract(name: string, open: OpenLoginAttempts): void {
  test(`${name}: login failures count within the window, per key`, () =>
    withAttempts(open, async (attempts) => {
      const window = 60_000;
      equal(await attempts.addFailure("client:192.0.2.1", 1_000, window), 1);
      equal(await attempts.addFailure("client:192.0.2.1", 2_000, window), 2);
      equal(await attempts.addFailure("client:192.0.2.1", 2_000, window), 3);
      equal(await attempts.addFailure("account:a@b.example", 2_000, window), 1);
      equal(await attempts.addFailure("client:192.0.2.1", 61_000, window), 3);
      equal(await attempts.addFailure("client:192.0.2.1", 62_001, window), 2);
      await attempts.clearFailures("client:192.0.2.1");
      equal(await attempts.addFailure("client:192.0.2.1", 62_002, window), 1);
      equal(await attempts.addFailure("account:a@b.example", 62_002, window), 1);
    }));

  test(`${name}: login failures from concurrent callers are all counted`, () =>
    withAttempts(open, async (attempts) => {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => attempts.addFailure("*", 1_000 + i, 60_000)),
      );
      equal(await attempts.addFailure("*", 2_000, 60_000), 9);
    }));

  test(`${name}: bans last until their end, and a later end stays`, () =>
    withAttempts(open, async (attempts) => {
      equal(await attempts.bannedUntil("192.0.2.1", 0), undefined);
      await attempts.ban("192.0.2.1", 10_000);
      equal(await attempts.bannedUntil("192.0.2.1", 9_999), 10_000);
      equal(await attempts.bannedUntil("192.0.2.2", 9_999), undefined);
      await attempts.ban("192.0.2.1", 5_000);
      equal(await attempts.bannedUntil("192.0.2.1", 6_000), 10_000);
      equal(await attempts.bannedUntil("192.0.2.1", 10_000), undefined);
      await attempts.ban("192.0.2.1", 20_000);
      equal(await attempts.bannedUntil("192.0.2.1", 15_000), 20_000);
    }));

  test(`${name}: sweep deletes failures outside the window and ended bans, and keeps the rest`, () =>
    withAttempts(open, async (attempts) => {
      const window = 60_000;
      equal(await attempts.sweep(0, window), 0, "nothing to sweep");
      // Keys that never come back: only a sweep removes them.
      await attempts.addFailure("client:192.0.2.1", 1_000, window);
      await attempts.addFailure("client:192.0.2.1", 2_000, window);
      await attempts.addFailure("account:a@b.example", 2_000, window);
      await attempts.addFailure("account:a@b.example", 30_000, window);
      await attempts.ban("192.0.2.1", 50_000);
      await attempts.ban("192.0.2.2", 70_000);
      // At 62,000 the window starts after 2,000: three failures are out, one ban ended.
      equal(await attempts.sweep(62_000, window), 4);
      equal(await attempts.sweep(62_000, window), 0, "a second sweep finds nothing");
      equal(await attempts.bannedUntil("192.0.2.2", 62_000), 70_000);
      equal(await attempts.addFailure("account:a@b.example", 62_000, window), 2);
      equal(await attempts.addFailure("client:192.0.2.1", 62_000, window), 1);
      equal(await attempts.sweep(200_000, window), 4, "the rest, once all ended");
      equal(await attempts.bannedUntil("192.0.2.2", 0), undefined, "an ended ban is gone");
    }));
}
