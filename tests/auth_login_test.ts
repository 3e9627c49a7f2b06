import { deepEqual, equal, throws } from "node:assert/strict";
import { encodeBase64 } from "../auth/base64.ts";
import { LoginMechanism } from "../auth/login.ts";
import type { SaslStep } from "../auth/sasl.ts";
import { test } from "./_portable.ts";

const USERNAME = { kind: "challenge", challenge: "Username:" };
const PASSWORD = { kind: "challenge", challenge: "Password:" };

const done = (username: string, password: string) => ({
  kind: "done",
  credentials: { kind: "password", mechanism: "LOGIN", username, password },
});

/** What the server puts after `334 ` for a challenge step. */
function wire(step: SaslStep): string {
  if (step.kind !== "challenge") throw new TypeError(`Expected a challenge, got ${step.kind}`);
  return encodeBase64(step.challenge);
}

test("LOGIN: the seed's dialogue, byte for byte on the 334 lines", () => {
  const login = new LoginMechanism();
  equal(wire(login.start()), "VXNlcm5hbWU6");
  equal(wire(login.next("dGVzdEBkb21haW4uZGU=")), "UGFzc3dvcmQ6");
  deepEqual(login.next("dGVzdGluZw=="), done("test@domain.de", "testing"));
});

test("LOGIN: the seed's telnet typo decodes to test@doiain.de, which is what gets checked", () => {
  const login = new LoginMechanism();
  login.start();
  login.next("dGVzdEBkb2lhaW4uZGU=");
  deepEqual(login.next("dGVzdGluZw=="), done("test@doiain.de", "testing"));
});

test("LOGIN: an initial response is the user name", () => {
  const login = new LoginMechanism();
  deepEqual(login.start("dGVzdEBkb21haW4uZGU="), PASSWORD);
  deepEqual(login.next("dGVzdGluZw=="), done("test@domain.de", "testing"));
});

test("LOGIN: `=` as the initial response is an empty user name, hence malformed", () => {
  deepEqual(new LoginMechanism().start("="), { kind: "malformed" });
});

test("LOGIN: an empty user name or password is malformed", () => {
  const noUser = new LoginMechanism();
  noUser.start();
  deepEqual(noUser.next(""), { kind: "malformed" });
  const noPassword = new LoginMechanism();
  noPassword.start();
  noPassword.next("dGVzdA==");
  deepEqual(noPassword.next(""), { kind: "malformed" });
});

test("LOGIN: NUL in a field is malformed (it would split checkpassword's input)", () => {
  const login = new LoginMechanism();
  login.start();
  deepEqual(login.next(encodeBase64("test\0x")), { kind: "malformed" });
  const password = new LoginMechanism();
  password.start(encodeBase64("test"));
  deepEqual(password.next(encodeBase64("pass\0word")), { kind: "malformed" });
});

test("LOGIN: bad base64 is malformed at each step", () => {
  deepEqual(new LoginMechanism().start("dGVzdA"), { kind: "malformed" });
  const login = new LoginMechanism();
  login.start();
  deepEqual(login.next("dGVzdA"), { kind: "malformed" });
  const password = new LoginMechanism();
  password.start();
  password.next("dGVzdA==");
  deepEqual(password.next("dGVzdGluZw== "), { kind: "malformed" });
});

test("LOGIN: `*` cancels at either prompt", () => {
  const atUser = new LoginMechanism();
  deepEqual(atUser.start(), USERNAME);
  deepEqual(atUser.next("*"), { kind: "cancelled" });
  const atPassword = new LoginMechanism();
  atPassword.start();
  deepEqual(atPassword.next("dGVzdA=="), PASSWORD);
  deepEqual(atPassword.next("*"), { kind: "cancelled" });
});

test("LOGIN: a line after the end is a programming error", () => {
  const login = new LoginMechanism();
  login.start("dGVzdA==");
  login.next("dGVzdA==");
  throws(() => login.next("dGVzdA=="), TypeError);
  const malformed = new LoginMechanism();
  malformed.start("=");
  throws(() => malformed.next("dGVzdA=="), TypeError);
  throws(() => new LoginMechanism().next("dGVzdA=="), TypeError);
});
