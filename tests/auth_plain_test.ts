import { deepEqual, throws } from "node:assert/strict";
import { encodeBase64 } from "../auth/base64.ts";
import { PlainMechanism } from "../auth/plain.ts";
import { test } from "./_portable.ts";

const done = (username: string, password: string) => ({
  kind: "done",
  credentials: { kind: "password", mechanism: "PLAIN", username, password },
});

test("PLAIN: without an initial response the challenge is empty (334 )", () => {
  const plain = new PlainMechanism();
  deepEqual(plain.start(), { kind: "challenge", challenge: "" });
  deepEqual(
    plain.next(encodeBase64("\0test@domain.de\0testing")),
    done("test@domain.de", "testing"),
  );
});

test("PLAIN: an initial response completes at once (RFC 4954 §4)", () => {
  const step = new PlainMechanism().start("AHRlc3RAZG9tYWluLmRlAHRlc3Rpbmc=");
  deepEqual(step, done("test@domain.de", "testing"));
});

test("PLAIN: an authzid equal to the user name (any case) is accepted", () => {
  const message = encodeBase64("Test@Domain.de\0test@domain.de\0testing");
  deepEqual(new PlainMechanism().start(message), done("test@domain.de", "testing"));
});

test("PLAIN: acting as another user (a different authzid) is malformed", () => {
  const message = encodeBase64("admin@domain.de\0test@domain.de\0testing");
  deepEqual(new PlainMechanism().start(message), { kind: "malformed" });
});

test("PLAIN: missing or empty fields are malformed", () => {
  const messages = [
    "\0\0testing", // empty authcid
    "\0test@domain.de\0", // empty password
    "\0test@domain.de", // one NUL
    "test@domain.de\0testing", // one NUL
    "\0test@domain.de\0test\0ing", // three NULs
    "",
  ];
  for (const message of messages) {
    deepEqual(new PlainMechanism().start(encodeBase64(message)), { kind: "malformed" }, message);
  }
});

test("PLAIN: `=` as the initial response is an empty message, hence malformed", () => {
  deepEqual(new PlainMechanism().start("="), { kind: "malformed" });
});

test("PLAIN: bad base64 is malformed, at start and in answer to the challenge", () => {
  deepEqual(new PlainMechanism().start("AHRlc3QAdGVzdGluZw"), { kind: "malformed" });
  const plain = new PlainMechanism();
  plain.start();
  deepEqual(plain.next("not base64!"), { kind: "malformed" });
});

test("PLAIN: `*` cancels in answer to the challenge, but is malformed as an initial response", () => {
  const plain = new PlainMechanism();
  plain.start();
  deepEqual(plain.next("*"), { kind: "cancelled" });
  deepEqual(new PlainMechanism().start("*"), { kind: "malformed" });
});

test("PLAIN: feeding a line after the end, or starting twice, is a programming error", () => {
  const finished = new PlainMechanism();
  finished.start(encodeBase64("\0a\0b"));
  throws(() => finished.next("*"), TypeError);
  const cancelled = new PlainMechanism();
  cancelled.start();
  cancelled.next("*");
  throws(() => cancelled.next("*"), TypeError);
  throws(() => new PlainMechanism().next("*"), TypeError);
  const twice = new PlainMechanism();
  twice.start();
  throws(() => twice.start(), TypeError);
});
